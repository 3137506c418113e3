import { cleanup, fireEvent, render, screen } from '@solidjs/testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { AnsiText } from '../../client/components/AnsiText.tsx';
import { JsonTree } from '../../client/components/JsonTree.tsx';
import { TextBlock } from '../../client/components/TextBlock.tsx';

afterEach(cleanup);

/** The direct children entries of a list, as `key` → element. */
function entries(list: Element): Map<string, Element> {
  const out = new Map<string, Element>();
  for (const li of list.querySelectorAll(':scope > li')) {
    const key = li.querySelector('.jt-key')?.textContent ?? '';
    out.set(key, li);
  }
  return out;
}

describe('JsonTree', () => {
  it('renders nested objects and arrays with keys, indices and typed leaves', () => {
    const { container } = render(() => (
      <JsonTree
        value={{ name: 'grep', opts: { recursive: true, depth: 3, glob: null }, files: ['a.ts', 'b.ts'] }}
      />
    ));
    const root = entries(container.querySelector('.jt > .jt-entries')!);
    expect([...root.keys()]).toEqual(['name', 'opts', 'files']);
    expect(root.get('name')?.querySelector('.jt-string')?.textContent).toBe('grep');
    const opts = root.get('opts')!.querySelector('details')!;
    expect(opts.open).toBe(true);
    expect(opts.querySelector('summary')?.textContent).toBe('opts: {3 keys}');
    const inner = entries(opts.querySelector('.jt-entries')!);
    expect(inner.get('recursive')?.querySelector('.jt-boolean')?.textContent).toBe('true');
    expect(inner.get('depth')?.querySelector('.jt-number')?.textContent).toBe('3');
    expect(inner.get('glob')?.querySelector('.jt-null')?.textContent).toBe('null');
    const files = root.get('files')!.querySelector('details')!;
    expect(files.querySelector('summary')?.textContent).toBe('files: [2 items]');
    const items = entries(files.querySelector('.jt-entries')!);
    expect([...items.keys()]).toEqual(['0', '1']);
    expect(items.get('1')?.querySelector('.jt-key')?.classList.contains('jt-index')).toBe(true);
    expect(items.get('1')?.querySelector('.jt-string')?.textContent).toBe('b.ts');
  });

  it('shows a string with line breaks as a text block with real line breaks', () => {
    const stack = 'Error: boom\n    at main (index.ts:3:9)\n    at run (node:internal)';
    const { container } = render(() => <JsonTree value={{ ok: false, stderr: stack }} />);
    const pre = container.querySelector('.jt pre')!;
    expect(pre.textContent).toBe(stack);
    expect(pre.textContent).toContain('\n');
    expect(container.textContent).not.toContain('\\n');
    expect(pre.getAttribute('dir')).toBe('auto');
    // Short strings stay inline.
    expect(container.querySelector('.jt-string')).toBeNull();
  });

  it('collapses containers deeper than 3 levels and larger than 50 entries, with a count', () => {
    const deep = { a: { b: { c: { d: { e: 1 } } } } };
    const { container } = render(() => (
      <JsonTree value={{ deep, big: Array.from({ length: 51 }, (_, i) => i) }} />
    ));
    const details = [...container.querySelectorAll('details')];
    const byKey = (k: string) => details.find((d) => d.querySelector('summary .jt-key')?.textContent === k)!;
    expect(byKey('deep').open).toBe(true);
    expect(byKey('a').open).toBe(true);
    expect(byKey('b').open).toBe(true);
    const c = byKey('c');
    expect(c.open).toBe(false);
    expect(c.querySelector('summary')?.textContent).toBe('c: {1 key}');
    expect(c.querySelector('.jt-entries')).toBeNull();
    const big = byKey('big');
    expect(big.open).toBe(false);
    expect(big.querySelector('[data-testid=jt-count]')?.textContent).toBe('[51 items]');
    big.open = true;
    fireEvent(big, new Event('toggle'));
    expect(big.querySelectorAll('.jt-entries > li')).toHaveLength(51);
  });

  it('renders a huge array a page at a time', () => {
    const { container } = render(() => <JsonTree value={Array.from({ length: 1000 }, (_, i) => i)} />);
    expect(container.querySelectorAll('.jt > .jt-entries > li')).toHaveLength(100);
    fireEvent.click(screen.getByRole('button', { name: 'Show 100 more (900 entries hidden)' }));
    expect(container.querySelectorAll('.jt > .jt-entries > li')).toHaveLength(200);
  });

  it('renders hostile keys and values as text', () => {
    const XSS = '<img src=x onerror=alert(1)>';
    const { container } = render(() => <JsonTree value={{ [XSS]: [XSS, `${XSS}\n${XSS}`] }} />);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('.jt-key')?.textContent).toBe(XSS);
    expect(container.querySelector('.jt-string')?.textContent).toBe(XSS);
    expect(container.querySelector('pre')?.textContent).toBe(`${XSS}\n${XSS}`);
    for (const el of container.querySelectorAll('.jt-key, .jt-string-text, pre')) {
      expect(el.getAttribute('dir')).toBe('auto');
    }
  });
});

describe('TextBlock', () => {
  it('shows a unified diff line by line with +/- classes', () => {
    const diff = [
      'diff --git a/x.ts b/x.ts',
      '--- a/x.ts',
      '+++ b/x.ts',
      '@@ -1,3 +1,3 @@',
      ' keep',
      '-old',
      '+new',
      ' keep too',
    ].join('\n');
    const { container } = render(() => <TextBlock text={diff} />);
    const lines = [...container.querySelectorAll('[data-testid=diff] > .diff-line')];
    expect(lines.map((l) => [l.className.replace('diff-line ', ''), l.textContent])).toEqual([
      ['diff-file', 'diff --git a/x.ts b/x.ts'],
      ['diff-file', '--- a/x.ts'],
      ['diff-file', '+++ b/x.ts'],
      ['diff-hunk', '@@ -1,3 +1,3 @@'],
      ['diff-context', ' keep'],
      ['diff-del', '-old'],
      ['diff-add', '+new'],
      ['diff-context', ' keep too'],
    ]);
  });

  it('does not take a markdown list for a diff', () => {
    const { container } = render(() => <TextBlock text={'Plan:\n- read the file\n- fix it\n+ bonus'} />);
    expect(container.querySelector('[data-testid=diff]')).toBeNull();
    expect(container.querySelector('pre')?.textContent).toBe('Plan:\n- read the file\n- fix it\n+ bonus');
  });

  it('renders ANSI colours as classes, with no escape characters left', () => {
    const { container } = render(() => (
      <TextBlock text={'\u001b[32mgreen\u001b[0m and \u001b[1;31mbold red\u001b[0m'} />
    ));
    const green = container.querySelector('.ansi-green-fg')!;
    expect(green.textContent).toBe('green');
    expect(green.getAttribute('style')).toBeNull();
    expect(container.querySelector('.ansi-red-fg')?.textContent).toBe('bold red');
    expect(container.textContent).toBe('green and bold red');
    expect(container.textContent).not.toContain('\u001b');
  });

  it('keeps markup inside ANSI text as text', () => {
    const { container } = render(() => (
      <AnsiText text={'\u001b[31m<script>window.__pwned = 1</script><img src=x onerror=alert(1)>\u001b[0m'} />
    ));
    expect(container.querySelector('script, img')).toBeNull();
    expect(container.querySelector('.ansi-red-fg')?.textContent).toBe(
      '<script>window.__pwned = 1</script><img src=x onerror=alert(1)>',
    );
  });

  it('drops OSC title changes, hyperlinks, cursor moves and other controls', () => {
    const text =
      '\u001b]0;pwned title\u0007before \u001b]8;;https://evil.example\u001b\\link\u001b]8;;\u001b\\ \u001b[2K\u001b[1Gafter\u0008!\u001b[?25l';
    const { container } = render(() => <TextBlock text={text} />);
    expect(container.textContent).toBe('before link after!');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: checking that none are left.
    expect(container.textContent).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(container.querySelector('a')).toBeNull();
  });

  it('shows an OSC title change alone (no colour codes) without its control characters', () => {
    const { container } = render(() => <TextBlock text={'\u001b]0;title\u0007hello\nworld'} />);
    expect(container.querySelector('pre')?.textContent).toBe('hello\nworld');
  });
});
