import { parseMarkdownBlocks } from './renderMarkdown.ts';

/** What markdown-it makes of line breaks and NULs before parsing (its `normalize` rule). */
function normalize(text: string): string {
  return /[\r\0]/.test(text) ? text.replace(/\r\n?/g, '\n').replace(/\0/g, '\uFFFD') : text;
}

/** Where line `line` (0-based) of `text` starts. */
function lineOffset(text: string, line: number): number {
  let at = 0;
  for (let i = 0; i < line; i++) {
    const next = text.indexOf('\n', at);
    if (next === -1) return text.length;
    at = next + 1;
  }
  return at;
}

/**
 * `renderMarkdownBlocks` for a text that grows at its end (a message streaming in), without parsing
 * it all again each time. The text splits into a stable prefix — blocks that are final — rendered once
 * and kept, and the tail after it, parsed and rendered again on every call.
 *
 * A block is final once another top-level block has started after it *and that block's first line
 * is complete*: markdown only ever looks forward, and from the start of a top-level block on, the
 * parse does not depend on what came before (the second block's first line matters: a "2" becoming
 * "2. next" would join an ordered list above it). markdown-it itself says where blocks start, so an
 * unclosed ``` fence (which runs to the end) or a list that goes on after a blank line stays in the
 * tail. Link reference definitions reach across blocks: a text that has one is rendered whole.
 * The result is always exactly `renderMarkdownBlocks(text)`; a text that is not the previous one
 * grown starts over.
 */
export function createMarkdownBlocks(): (text: string) => string[] {
  /** The normalized source of the final blocks, and their HTML. */
  let stable = '';
  let stableBlocks: string[] = [];
  return (text) => {
    const source = normalize(text);
    if (!source.startsWith(stable)) {
      stable = '';
      stableBlocks = [];
    }
    const tail = source.slice(stable.length);
    let { blocks, references } = parseMarkdownBlocks(tail);
    if (references) {
      stable = '';
      stableBlocks = [];
      if (tail !== source) blocks = parseMarkdownBlocks(source).blocks;
      return blocks.map((block) => block.html);
    }
    // The newest block that may start the tail: the last one once its first line is complete.
    let next = blocks.length - 1;
    if (next >= 0 && !tail.includes('\n', lineOffset(tail, blocks[next]!.line))) next--;
    if (next >= 1) {
      stableBlocks = [...stableBlocks, ...blocks.slice(0, next).map((block) => block.html)];
      stable += tail.slice(0, lineOffset(tail, blocks[next]!.line));
      blocks = blocks.slice(next);
    }
    return [...stableBlocks, ...blocks.map((block) => block.html)];
  };
}
