// @vitest-environment jsdom
import { beforeAll, describe, expect, it } from 'vitest';
import { highlightCode, loadHighlighter, MAX_HIGHLIGHT_CHARS } from '../../client/state/highlightCode.ts';
import {
  breakLongRuns,
  isSafeHref,
  RUN_CHARS,
  renderMarkdown,
  renderMarkdownBlocks,
  sanitizeTree,
} from '../../client/state/renderMarkdown.ts';
import { unsafeParts } from '../support/unsafeParts.ts';

// highlight.js loads on demand (highlightLazy.unit.test.ts); these tests are about what it renders.
beforeAll(loadHighlighter);

/** HTML parsed the way Markdown.tsx does it: into an inert template, optionally sanitized. */
function parse(html: string, sanitize = false): DocumentFragment {
  const template = document.createElement('template');
  template.innerHTML = html;
  if (sanitize) sanitizeTree(template.content);
  return template.content;
}

const HOSTILE: [string, string][] = [
  ['script tag', '<script>alert(1)</script>'],
  ['img onerror', '<img src=x onerror=alert(1)>'],
  ['iframe', '<iframe src="https://evil.example"></iframe>'],
  ['svg onload', '<svg onload="alert(1)"></svg>'],
  ['html block', '<div onclick="alert(1)">\n\n*x*\n\n</div>'],
  ['javascript link', '[x](javascript:alert(1))'],
  ['JAVASCRIPT link', '[x](JAVASCRIPT:alert(1))'],
  ['entity-encoded scheme', '[x](jav&#x61;script:alert(1))'],
  ['vbscript and file links', '[v](vbscript:msgbox(1)) [f](file:///etc/passwd)'],
  ['data: html link', '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
  ['relative and protocol-relative links', '[r](/api/sessions) [p](//evil.example/x)'],
  ['image over https', '![a](https://evil.example/x.png)'],
  ['data: image', '![a](data:image/png;base64,iVBORw0KGgo=)'],
  ['data: svg image', '![a](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)'],
  ['autolinked javascript', 'javascript:alert(1) <javascript:alert(1)> <data:image/png;base64,xx>'],
  ['entities', '&lt;script&gt;alert(1)&lt;/script&gt; &#60;img src=x onerror=alert(1)&#62;'],
  ['quote in a link URL', '[x](https://example.com/"onmouseover="alert(1)) [y](<https://e.example/" x="y>)'],
  ['quote in a link title', '[x](https://example.com "a\\" onmouseover=\\"alert(1)")'],
  ['reference link to javascript', '[x][r]\n\n[r]: javascript:alert(1)'],
  ['raw html in a fence', '```html\n<script>alert(1)</script><img src=x onerror=alert(1)>\n```'],
  ['raw html in an unknown fence', '```nope\n<iframe src=x></iframe>\n```'],
  ['e2e payload', '<img src=x onerror="window.__pwned=1">'],
  ['e2e data link', '[data](data:text/html,<script>window.__pwned=1</script>)'],
];

describe('renderMarkdown', () => {
  it('renders headings, lists, tables, quotes, inline code and soft line breaks', () => {
    const root = parse(
      renderMarkdown(
        '# Title\n\n- one\n- two\n\n1. first\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n> quoted\n\nuse `npm test`\nnext line',
      ),
    );
    expect(root.querySelector('h1')?.textContent).toBe('Title');
    expect([...root.querySelectorAll('ul > li')].map((li) => li.textContent)).toEqual(['one', 'two']);
    expect(root.querySelector('ol > li')?.textContent).toBe('first');
    expect([...root.querySelectorAll('.md-table > table th')].map((th) => th.textContent)).toEqual([
      'a',
      'b',
    ]);
    expect(root.querySelector('td:last-child')?.getAttribute('style')).toBe('text-align:right');
    expect(root.querySelector('blockquote')?.textContent?.trim()).toBe('quoted');
    expect(root.querySelector('p code')?.textContent).toBe('npm test');
    expect(root.querySelector('p br')).not.toBeNull();
  });

  it('links only http(s) and mailto URLs, each in a new tab without opener or referrer', () => {
    const root = parse(
      renderMarkdown('[a](https://example.com/a) see http://b.example and mail x@example.com, not main.py'),
    );
    const links = [...root.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual([
      'https://example.com/a',
      'http://b.example',
      'mailto:x@example.com',
    ]);
    expect(unsafeParts(root)).toEqual([]);
  });

  it.each(HOSTILE)('keeps %s inert', (_name, text) => {
    const html = renderMarkdown(text);
    expect(unsafeParts(parse(html))).toEqual([]);
    expect(html).not.toMatch(/<(script|img|iframe|svg)\b/i);
  });

  it('shows raw html as the text it is', () => {
    const root = parse(renderMarkdown('<img src=x onerror=alert(1)> & <b>bold?</b>'));
    expect(root.textContent).toBe('<img src=x onerror=alert(1)> & <b>bold?</b>\n');
    expect(root.querySelector('b')).toBeNull();
  });

  it('shows a blocked link as its text and an image as a link or its alt text, never an <img>', () => {
    const blocked = parse(renderMarkdown('[x](javascript:alert(1))'));
    expect(blocked.querySelector('a')).toBeNull();
    expect(blocked.textContent).toContain('x');
    const image = parse(renderMarkdown('![a pixel](https://evil.example/x.png)'));
    const link = image.querySelector('a.md-image');
    expect(link?.getAttribute('href')).toBe('https://evil.example/x.png');
    expect(link?.textContent).toBe('a pixel');
    const inline = parse(renderMarkdown('![inline](data:image/png;base64,iVBORw0KGgo=)'));
    expect(inline.querySelector('a')).toBeNull();
    expect(inline.querySelector('.md-image')?.textContent).toBe('inline');
  });

  it('highlights a fence in its declared language and escapes one it does not know', () => {
    const root = parse(
      renderMarkdown('```ts\nconst x: number = 1;\n```\n\n```python\ndef f():\n    return 2\n```'),
    );
    const [ts, py] = [...root.querySelectorAll('pre > code')];
    expect(ts?.className).toBe('hljs language-ts');
    expect(ts?.querySelector('.hljs-keyword')?.textContent).toBe('const');
    expect(ts?.textContent).toBe('const x: number = 1;\n');
    expect(py?.querySelector('.hljs-keyword')?.textContent).toBe('def');
    expect(root.querySelector('.md-code-lang')?.textContent).toBe('ts');

    const plain = parse(renderMarkdown('```klingon\nif (<b>) {}\n```\n\n```\nconst y = 1\n```'));
    for (const code of plain.querySelectorAll('pre > code')) {
      expect(code.querySelector('span')).toBeNull();
      expect(code.hasAttribute('class')).toBe(false);
    }
    expect(plain.querySelector('pre > code')?.textContent).toBe('if (<b>) {}\n');
  });

  it('splits into top-level blocks, so a growing text keeps the strings of its earlier blocks', () => {
    const before = renderMarkdownBlocks('# Title\n\n- a\n- b\n\n```js\nlet x\n```\n\nstreaming');
    expect(before).toHaveLength(4);
    expect(before[1]).toMatch(/^<ul>/);
    const after = renderMarkdownBlocks('# Title\n\n- a\n- b\n\n```js\nlet x\n```\n\nstreaming more\n\n- c');
    expect(after.slice(0, 3)).toEqual(before.slice(0, 3));
    expect(after[3]).not.toBe(before[3]);
    expect(after).toHaveLength(5);
  });
});

describe('isSafeHref', () => {
  it('accepts http(s) and mailto only, with nothing before the scheme', () => {
    for (const ok of ['https://a.example', 'HTTP://a.example/x?y', 'mailto:a@b.example'])
      expect(isSafeHref(ok), ok).toBe(true);
    for (const bad of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      ' https://a.example',
      'java\tscript:alert(1)',
      'data:text/html,x',
      'data:image/png;base64,xx',
      'vbscript:x',
      'file:///etc/passwd',
      'ftp://a.example',
      '//a.example',
      '/relative',
      'https:no-slashes',
      '',
    ])
      expect(isSafeHref(bad), bad).toBe(false);
  });
});

describe('breakLongRuns', () => {
  const runs = (html: string) => html.replaceAll('<span class="md-run">', '').replaceAll('</span>', '');
  const unbroken = (html: string) => runs(html).replaceAll('<wbr>', '');

  it('puts a break opportunity into long runs without changing the text', () => {
    const html = breakLongRuns(`short words ${'A'.repeat(1000)} <tail>`);
    expect(unbroken(html)).toBe(`short words ${'A'.repeat(1000)} &lt;tail&gt;`);
    expect(html).toContain(`<span class="md-run">${'A'.repeat(RUN_CHARS)}<wbr>`);
    const pieces = runs(html).split('<wbr>');
    expect(pieces.length).toBeGreaterThanOrEqual(1000 / RUN_CHARS);
    expect(Math.max(...pieces.map((p) => p.replace(/^short words /, '').length))).toBeLessThanOrEqual(
      RUN_CHARS + ' &lt;tail&gt;'.length,
    );
    expect(breakLongRuns('word '.repeat(100))).not.toContain('<wbr>');
  });

  it('never splits a surrogate pair, a combining mark from its letter, or a joined emoji', () => {
    const emoji = '😀'.repeat(200);
    const marks = 'e\u0301'.repeat(200);
    const family = '👩\u200d👩\u200d👧'.repeat(30);
    for (const run of [emoji, marks, family, `a${emoji}`]) {
      for (const piece of runs(breakLongRuns(run)).split('<wbr>')) {
        expect(piece.length).toBeGreaterThan(0);
        const first = piece.charCodeAt(0);
        const last = piece.charCodeAt(piece.length - 1);
        expect(first >= 0xdc00 && first <= 0xdfff, 'starts with a low surrogate').toBe(false);
        expect(first === 0x301 || first === 0x200d, 'starts with a mark or joiner').toBe(false);
        expect(last >= 0xd800 && last <= 0xdbff, 'ends with a high surrogate').toBe(false);
        expect(last === 0x200d, 'ends with a joiner').toBe(false);
      }
    }
  });

  it('still breaks a wall of combining marks (zalgo), between code points', () => {
    const zalgo = `Z${'\u0336\u0337\u0489'.repeat(1000)}`;
    const html = breakLongRuns(zalgo);
    expect(unbroken(html)).toBe(zalgo);
    expect(html.split('<wbr>').length).toBeGreaterThan(10);
  });
});

describe('highlightCode', () => {
  it('uses only the declared language, and does not highlight huge code', () => {
    expect(highlightCode('const a = 1', '').html).toBe('const a = 1');
    expect(highlightCode('a < b', 'made-up').html).toBe('a &lt; b');
    expect(highlightCode('const a = 1', 'JS').language).toBe('js');
    for (const lang of ['tsx', 'bash', 'shell', 'json', 'diff', 'yaml', 'go', 'rust', 'sql', 'html', 'css'])
      expect(highlightCode('x', lang).language, lang).toBe(lang);
    for (const lang of ['md', 'java', 'c', 'cpp', 'py', 'console'])
      expect(highlightCode('x', lang).language, lang).toBe(lang);
    const huge = `let a = "${'x'.repeat(MAX_HIGHLIGHT_CHARS)}"`;
    expect(highlightCode(huge, 'js').html).not.toContain('<span');
  });

  it('returns the same highlighted html for the same code', () => {
    const a = highlightCode('fn main() {}', 'rust');
    expect(a.html).toContain('hljs-');
    expect(highlightCode('fn main() {}', 'rust')).toEqual(a);
  });
});

describe('sanitizeTree (the last layer, on its own)', () => {
  it('removes what markdown-it would never emit, should it ever get through', () => {
    const root = parse(
      [
        '<p onclick="alert(1)" style="color:red">hi <img src=x onerror="alert(1)"></p>',
        '<script>alert(1)</script><iframe src="https://evil.example"></iframe>',
        '<svg><a href="javascript:alert(1)">svg link</a></svg>',
        '<a href="javascript:alert(1)">js</a><a href=" https://spaced.example">spaced</a>',
        '<a href="https://ok.example" target="_self" rel="opener">ok</a>',
        '<div class="md-code" data-x="1"><span class="x&quot;y" title="t">t</span></div>',
        '<td style="text-align:right">r</td><th style="background:url(https://evil.example)">b</th>',
      ].join(''),
      true,
    );
    expect(unsafeParts(root)).toEqual([]);
    expect([...root.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual([
      'https://ok.example',
    ]);
    expect(root.querySelector('p')?.attributes).toHaveLength(0);
    expect(root.querySelector('div')?.getAttribute('data-x')).toBeNull();
    expect(root.textContent).toContain('js');
    expect(root.textContent).toContain('svg link');
  });

  it('drops the newlines between blocks but keeps those in code', () => {
    const root = parse(renderMarkdown('- a\n- b\n\n```\nx\n\ny\n```\n\nline\nbreak'), true);
    expect(root.textContent).toBe('abx\n\ny\nline\nbreak');
  });
});
