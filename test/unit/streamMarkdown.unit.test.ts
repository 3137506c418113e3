import { describe, expect, it, vi } from 'vitest';
import * as markdown from '../../client/state/renderMarkdown.ts';
import { createMarkdownBlocks } from '../../client/state/streamMarkdown.ts';

// The real parser, counted: how much source the incremental renderer hands it.
vi.mock('../../client/state/renderMarkdown.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../client/state/renderMarkdown.ts')>();
  return { ...real, parseMarkdownBlocks: vi.fn(real.parseMarkdownBlocks) };
});
const parse = vi.mocked(markdown.parseMarkdownBlocks);

/** Markdown whose prefixes are hard to split: lists that go on, fences, setext, tables, references. */
const DOCS: [string, string][] = [
  ['paragraphs and a heading', '# Plan\n\nfirst *idea*\nstill first\n\nsecond **idea**\n\n## Next\n\ndone'],
  ['ordered list going on after a blank line', '1. one\n\n2. two\n\n10. ten\n\nafter the list\n\n3) other'],
  ['bullets, loose and nested', '- a\n\n- b\n  - nested\n\n  continued in b\n\n* new list\n+ another\n\nend'],
  [
    'fences with blank lines inside, unclosed at the end',
    'text\n\n```ts\nconst a = 1;\n\n\nconst b = 2;\n```\n\n~~~\ntilde\n\n~~~~\n\n````md\n```\ninner\n```\n````\n\n```py\ndef f():\n\n    return 1',
  ],
  ['fence in a list item', '- ```\n  code\n\n  more\n  ```\n\ntext\n\n```\ncode\n\nfoo\n```\n\nlast'],
  ['setext headings and rules', 'Title\n=====\n\npara\n---\n\n***\n\nnot a heading\n\n-\n\nx'],
  ['tables', '| a | b |\n|---|--:|\n| 1 | 2 |\n\npara\nx | y\n--|--\n1 | 2\n\nend'],
  ['blockquotes and indented code', '> quoted\n> more\n\n> again\n\n    indented\n\n    still code\n\npara'],
  [
    'link references',
    'see [the docs][d] and [x]\n\nmore text\n\n[d]: https://example.com/docs\n\n[x]: https://x.example',
  ],
  ['CRLF and lone CR line breaks', 'one\r\n\r\ntwo\r\rthree\r\n\r\n- a\r\n\r\n- b\r\n'],
  [
    'hostile text',
    '<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n<img src=x onerror=alert(1)>\n\n**open',
  ],
];

describe('createMarkdownBlocks', () => {
  it.each(DOCS)('renders every prefix of %s exactly as a whole render would', (_name, doc) => {
    const render = createMarkdownBlocks();
    for (let n = 0; n <= doc.length; n++) {
      const text = doc.slice(0, n);
      expect(render(text), JSON.stringify(text)).toEqual(markdown.renderMarkdownBlocks(text));
    }
  });

  it.each(DOCS)('renders %s grown in random chunks exactly as a whole render would', (_name, doc) => {
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let round = 0; round < 20; round++) {
      const render = createMarkdownBlocks();
      for (let n = 0; n < doc.length; ) {
        n = Math.min(doc.length, n + 1 + Math.floor(random() * 12));
        const text = doc.slice(0, n);
        expect(render(text), JSON.stringify(text)).toEqual(markdown.renderMarkdownBlocks(text));
      }
    }
  });

  it('starts over for a text that is not the last one grown', () => {
    const render = createMarkdownBlocks();
    render('# one\n\ntwo\n\nthree');
    expect(render('# uno\n\ndos')).toEqual(markdown.renderMarkdownBlocks('# uno\n\ndos'));
    expect(render('')).toEqual([]);
  });

  it('parses only the tail as a long message streams in, not the whole text each time', () => {
    const paragraphs = Array.from({ length: 300 }, (_, i) => `Paragraph ${i} says something *useful*.`);
    const doc = paragraphs.join('\n\n');
    const render = createMarkdownBlocks();
    parse.mockClear();
    for (let n = 0; n < doc.length; n += 5) render(doc.slice(0, n));
    expect(render(doc)).toEqual(markdown.renderMarkdownBlocks(doc));
    const parsed = parse.mock.calls.reduce((sum, [text]) => sum + text.length, 0);
    // Whole renders would parse ~doc.length² / 10 characters (≈ 15M); the tail is a paragraph or two.
    expect(parsed).toBeLessThan(doc.length * 30);
  });
});
