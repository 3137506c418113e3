import { cleanup, fireEvent, render, waitFor } from '@solidjs/testing-library';
import { createSignal } from 'solid-js';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MessageBubble } from '../../client/components/MessageBubble.tsx';
import { loadHighlighter } from '../../client/state/highlightCode.ts';
import type { EventOf } from '../../client/state/timelineRows.ts';
import { unsafeParts } from '../support/unsafeParts.ts';

type Message = EventOf<'user_message'> | EventOf<'assistant_message'>;

function message(text: string, type: Message['type'] = 'assistant_message'): Message {
  return { type, text, sessionId: 's1', seq: 1, ts: '2026-01-01T10:00:00.000Z' };
}

function show(text: string, type: Message['type'] = 'assistant_message') {
  return render(() => <MessageBubble event={message(text, type)} />).container;
}

// highlight.js loads on demand (MarkdownHighlight.unit.test.tsx); these tests are about what it renders.
beforeAll(loadHighlighter);

let writeText: ReturnType<typeof vi.fn>;
beforeEach(() => {
  writeText = vi.fn(async () => {});
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
});
afterEach(cleanup);

describe('MessageBubble', () => {
  it('keeps its classes and author label, and shows no time of its own', () => {
    const user = show('hi', 'user_message');
    const bubble = user.querySelector('.bubble');
    expect(bubble?.classList.contains('bubble-user')).toBe(true);
    expect(bubble?.querySelector('.row-author')?.textContent).toBe('You');
    expect(bubble?.querySelector('.text')?.textContent).toBe('hi');
    expect(user.querySelector('time')).toBeNull();
    const assistant = show('ok');
    expect(assistant.querySelector('.bubble')?.classList.contains('bubble-assistant')).toBe(true);
    expect(assistant.querySelector('.row-author')?.textContent).toBe('Assistant');
  });

  it('renders markdown: heading, list, table, emphasis and a link', () => {
    const c = show(
      '## Plan\n\n- read **the** code\n- fix it\n\n| file | lines |\n|---|---|\n| a.ts | 3 |\n\nsee [docs](https://example.com/docs)',
    );
    expect(c.querySelector('.text h2')?.textContent).toBe('Plan');
    expect([...c.querySelectorAll('.text ul > li')].map((li) => li.textContent)).toEqual([
      'read the code',
      'fix it',
    ]);
    expect(c.querySelector('.text li strong')?.textContent).toBe('the');
    expect([...c.querySelectorAll('.text td')].map((td) => td.textContent)).toEqual(['a.ts', '3']);
    const link = c.querySelector('.text a');
    expect(link?.getAttribute('href')).toBe('https://example.com/docs');
    expect(link?.getAttribute('rel')).toBe('noopener noreferrer');
    expect(link?.getAttribute('target')).toBe('_blank');
  });

  it('highlights fenced ts and python, each with a button that copies its raw code', async () => {
    const ts = 'const x: number = 1 < 2 ? 1 : 2;\nexport { x };';
    const py = 'def f(a):\n    return a & 1';
    const c = show(`Code:\n\n\`\`\`ts\n${ts}\n\`\`\`\n\n\`\`\`python\n${py}\n\`\`\``);
    const blocks = [...c.querySelectorAll('.md-code')];
    expect(blocks).toHaveLength(2);
    expect(blocks[0]!.querySelector('code.language-ts .hljs-keyword')?.textContent).toBe('const');
    expect(blocks[1]!.querySelector('code.language-python .hljs-keyword')?.textContent).toBe('def');
    fireEvent.click(blocks[0]!.querySelector('[data-testid=copy-button]')!);
    fireEvent.click(blocks[1]!.querySelector('[data-testid=copy-button]')!);
    expect(writeText.mock.calls).toEqual([[ts], [py]]);
    await waitFor(() =>
      expect(blocks[0]!.querySelector('[data-testid=copy-button]')?.textContent).toBe('Copied'),
    );
  });

  it("copies the message's raw text with its own button", () => {
    const text = '# Title\n\n`code` and <b>html</b>';
    const c = show(text);
    const button = c.querySelector<HTMLButtonElement>('.row-meta [data-testid=copy-button]')!;
    expect(button.getAttribute('aria-label')).toBe('Copy message');
    fireEvent.click(button);
    expect(writeText).toHaveBeenCalledWith(text);
  });

  it.each([
    ['script', '<script>alert(1)</script>'],
    ['img onerror', '<img src=x onerror=alert(1)>'],
    ['iframe', '<iframe src="https://evil.example"></iframe>'],
    ['javascript link', '[x](javascript:alert(1))'],
    ['JAVASCRIPT link', '[x](JAVASCRIPT:alert(1))'],
    ['data: link', '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
    ['https image', '![a](https://evil.example/x.png)'],
    ['data: image', '![a](data:image/png;base64,iVBORw0KGgo=)'],
    ['autolinked javascript', 'javascript:alert(1) and <javascript:alert(1)>'],
    ['entities', '&lt;img src=x onerror=alert(1)&gt; &#60;script&#62;'],
    ['quote in URL', '[x](https://example.com/"onmouseover="alert(1))'],
    ['html in a fence', '```html\n<script>alert(1)</script><img src=x onerror=alert(1)>\n```'],
    ['e2e payload', '<img src=x onerror="window.__pwned=1">'],
    [
      'e2e markdown payload',
      '[click](javascript:window.__pwned=1) [data](data:text/html,<script>window.__pwned=1</script>)\n\n<svg onload="window.__pwned=1"></svg> ![tracker](https://evil.example/pixel.png)',
    ],
  ])('keeps %s inert', (_name, text) => {
    const c = show(text);
    expect(unsafeParts(c)).toEqual([]);
  });

  it('shows html, also inside a fence, as the text it is', () => {
    const payload = '<img src=x onerror="window.__pwned=1">';
    expect(show(payload).querySelector('.text')?.textContent).toBe(payload);
    const fenced = show(`\`\`\`html\n${payload}\n\`\`\``);
    expect(fenced.querySelector('pre code')?.textContent).toBe(`${payload}\n`);
    expect(fenced.querySelector('img')).toBeNull();
  });

  it('isolates the text for bidi, so U+202E cannot reorder the label around it', () => {
    const c = show('\u202egnirts desrever');
    const p = [...c.querySelectorAll('p')].find((el) => el.textContent?.includes('\u202e'))!;
    const isolated = p.closest('[dir=auto]');
    expect(isolated).not.toBeNull();
    expect(isolated?.contains(c.querySelector('.row-author'))).toBe(false);
    expect(isolated?.contains(c.querySelector('.row-meta [data-testid=copy-button]'))).toBe(false);
  });

  it('folds a 100k-character message without spaces, and "Show all" reveals it', () => {
    const c = show('A'.repeat(100_000));
    // A definite width, so Chromium need not measure 100k characters to shrink the bubble to fit.
    expect(c.querySelector('.bubble')?.hasAttribute('data-wide')).toBe(true);
    expect(show('short').querySelector('.bubble')?.hasAttribute('data-wide')).toBe(false);
    const text = c.querySelector('.text')!;
    expect(text.textContent!.length).toBeLessThan(5_000);
    const toggle = c.querySelector<HTMLButtonElement>('[data-testid=fold-toggle]')!;
    expect(toggle.textContent).toContain('100,000 characters');
    // Break opportunities, so the line breaker never sees one 100k-character word.
    expect(text.querySelectorAll('wbr').length).toBeGreaterThan(40);
    fireEvent.click(toggle);
    expect(text.querySelector('p')?.textContent).toBe('A'.repeat(100_000));
    expect(text.querySelectorAll('wbr').length).toBeGreaterThan(1_000);
  });

  it('re-renders a growing text, keeping earlier blocks and whether it is unfolded', () => {
    const [event, setEvent] = createSignal(message('# Notes\n\nfirst'));
    const c = render(() => <MessageBubble event={event()} />).container;
    const heading = c.querySelector('h1')!;
    setEvent(message('# Notes\n\nfirst part\n\n- item'));
    expect(c.querySelector('h1')).toBe(heading);
    expect([...c.querySelectorAll('.text p, .text li')].map((el) => el.textContent)).toEqual([
      'first part',
      'item',
    ]);

    const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join('\n\n');
    setEvent(message(lines(60)));
    const toggle = () => c.querySelector<HTMLButtonElement>('[data-testid=fold-toggle]')!;
    // 40 lines while folded: 20 paragraphs and the blank lines between them.
    expect(c.querySelectorAll('.text p')).toHaveLength(20);
    fireEvent.click(toggle());
    expect(c.querySelectorAll('.text p')).toHaveLength(60);
    const first = c.querySelector('.text p');
    setEvent(message(lines(80)));
    expect(toggle().getAttribute('aria-expanded')).toBe('true');
    expect(c.querySelectorAll('.text p')).toHaveLength(80);
    expect(c.querySelector('.text p')).toBe(first);
  });
});
