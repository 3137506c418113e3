import MarkdownIt, { type Env, type StateCore, type Token } from 'markdown-it';
import { escapeHtml, highlightCode } from './highlightCode.ts';

/**
 * Markdown from agents, as HTML strings. Agent text is untrusted, so three layers keep it inert:
 *   1. markdown-it with `html: false`: raw HTML in the text is escaped, never parsed into elements.
 *   2. Our link and image rules: hrefs only for http(s) and mailto (anything else is plain text), every
 *      link opens in a new tab with rel="noopener noreferrer", and images become links, never `<img>`.
 *   3. `sanitizeTree` re-checks the parsed result against an allowlist of elements and attributes
 *      before it reaches the page (Markdown.tsx), should a rule above ever let something through.
 */

const SAFE_HREF = /^(?:https?:\/\/|mailto:)/i;
/** Inline images markdown-it would accept; we never show them as images, only name them. */
const DATA_IMAGE = /^data:image\/(?:gif|png|jpeg|webp);/i;

/** Whether an href may become a link: http(s) or mailto, nothing relative, no other scheme. */
export function isSafeHref(href: string): boolean {
  return SAFE_HREF.test(href);
}

/** A run of this many non-space characters or more gets a `<wbr>` break opportunity every so often. */
export const RUN_CHARS = 64;
const LONG_RUN = new RegExp(`\\S{${RUN_CHARS + 1},}`, 'g');
const JOINS_PREVIOUS = /^(?:\p{M}|\u200d)/u;

/** Whether a run may be cut before index `i` without splitting a character or its combining marks. */
function mayCut(run: string, i: number): boolean {
  const code = run.charCodeAt(i);
  if (code >= 0xdc00 && code <= 0xdfff) return false;
  if (run.charCodeAt(i - 1) === 0x200d) return false;
  return !JOINS_PREVIOUS.test(run.slice(i, i + 2));
}

function chunkRun(run: string): string {
  let html = '';
  let start = 0;
  while (run.length - start > RUN_CHARS) {
    let cut = start + RUN_CHARS;
    // A long stack of combining marks (zalgo) is cut anyway after another RUN_CHARS, but never mid-pair.
    const limit = Math.min(run.length, cut + RUN_CHARS);
    while (cut < limit && !mayCut(run, cut)) cut++;
    if (cut >= run.length) break;
    if (cut === limit && run.charCodeAt(cut) >= 0xdc00 && run.charCodeAt(cut) <= 0xdfff) cut++;
    html += `${escapeHtml(run.slice(start, cut))}<wbr>`;
    start = cut;
  }
  return `<span class="md-run">${html}${escapeHtml(run.slice(start))}</span>`;
}

/**
 * `text` escaped, with `<wbr>` inside every run of more than RUN_CHARS non-space characters: Chromium
 * lays out one 100k-character word under `overflow-wrap: anywhere` in seconds (it re-measures the rest
 * of the word for every line), the same word with break opportunities in milliseconds. `<wbr>` adds no
 * text, so copying and `textContent` are unchanged. Each such run sits in a `span.md-run`, which
 * Markdown.css lets break anywhere, so its lines still fill the width instead of ending at a `<wbr>`.
 */
export function breakLongRuns(text: string): string {
  if (text.length <= RUN_CHARS) return escapeHtml(text);
  let html = '';
  let last = 0;
  for (const m of text.matchAll(LONG_RUN)) {
    html += escapeHtml(text.slice(last, m.index)) + chunkRun(m[0]);
    last = m.index + m[0].length;
  }
  return html + escapeHtml(text.slice(last));
}

const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: true });
// Bare "main.py" or "README.md" would otherwise link to http://main.py: links need a scheme (or are emails).
md.linkify.set({ fuzzyLink: false });
// What the parser may turn into a link or image at all; `secureLinks` then lets only http(s)/mailto link.
md.validateLink = (url) => isSafeHref(url) || DATA_IMAGE.test(url);

/** Core rule: a link to anything but http(s)/mailto becomes a span; the rest open safely in a new tab. */
function secureLinks(state: StateCore): void {
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue;
    const open: Token[] = [];
    for (const token of block.children) {
      if (token.type === 'link_open') {
        if (isSafeHref(String(token.attrGet('href') ?? ''))) {
          token.attrSet('rel', 'noopener noreferrer');
          token.attrSet('target', '_blank');
        } else {
          token.tag = 'span';
          token.attrs = [['class', 'md-link-blocked']];
        }
        open.push(token);
      } else if (token.type === 'link_close') {
        token.tag = open.pop()?.tag ?? 'span';
      }
    }
  }
}
md.core.ruler.push('secure_links', secureLinks);

const rules = md.renderer.rules;
rules.text = (tokens, idx) => breakLongRuns(tokens[idx]!.content);
rules.code_inline = (tokens, idx) => `<code>${breakLongRuns(tokens[idx]!.content)}</code>`;

// The page's CSP allows images only from itself, and an agent's image URL is a tracking pixel at best:
// an image is a link to it (http/https), or just its alt text (an inline data: image). Never an <img>.
rules.image = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  const src = String(token.attrGet('src') ?? '');
  const alt = self.renderInlineAsText(token.children ?? [], options, env);
  if (!isSafeHref(src)) {
    return `<span class="md-image" title="inline image (not shown)">${breakLongRuns(alt || 'image')}</span>`;
  }
  const url = escapeHtml(src);
  return `<a class="md-image" href="${url}" title="${url}" rel="noopener noreferrer" target="_blank">${breakLongRuns(alt || src)}</a>`;
};

/** A code block: a head (language, and the copy button Markdown.tsx adds) over the highlighted code. */
function codeBlock(code: string, lang: string): string {
  const { html, language } = highlightCode(code, lang);
  const cls = language ? ` class="hljs language-${language}"` : '';
  return `<div class="md-code"><div class="md-code-head"><span class="md-code-lang">${escapeHtml(lang.slice(0, 30))}</span></div><pre><code${cls}>${html}</code></pre></div>\n`;
}
rules.fence = (tokens, idx) => {
  const token = tokens[idx]!;
  const info = token.info ? md.utils.unescapeAll(token.info).trim() : '';
  return codeBlock(token.content, info.split(/\s+/)[0] ?? '');
};
rules.code_block = (tokens, idx) => codeBlock(tokens[idx]!.content, '');
// Wide tables scroll inside their own box instead of widening the bubble.
rules.table_open = () => '<div class="md-table"><table>\n';
rules.table_close = () => '</table></div>\n';

/** One top-level block of rendered markdown, and the line (0-based) of the source it starts on. */
export interface MarkdownBlock {
  html: string;
  line: number;
}

/**
 * `text` as top-level blocks (paragraph, list, fence, table…), each rendered on its own, and whether
 * it defines link references (`[id]: url`): those reach across blocks, so a text that has them can
 * only be rendered whole (see streamMarkdown.ts).
 */
export function parseMarkdownBlocks(text: string): { blocks: MarkdownBlock[]; references: boolean } {
  const env: Env = {};
  const tokens = md.parse(text, env);
  const blocks: MarkdownBlock[] = [];
  const push = (from: number, to: number) =>
    blocks.push({
      html: md.renderer.render(tokens.slice(from, to), md.options, env),
      line: tokens[from]!.map?.[0] ?? 0,
    });
  let start = 0;
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    depth += tokens[i]!.nesting;
    if (depth === 0) {
      push(start, i + 1);
      start = i + 1;
    }
  }
  if (start < tokens.length) push(start, tokens.length);
  return { blocks, references: Object.keys(env.references ?? {}).length > 0 };
}

/**
 * `text` as HTML, one string per top-level block. A message that grows changes only its last blocks,
 * so a list keyed by these strings keeps the DOM of the others.
 */
export function renderMarkdownBlocks(text: string): string[] {
  return parseMarkdownBlocks(text).blocks.map((block) => block.html);
}

/** `text` as one HTML string. */
export function renderMarkdown(text: string): string {
  return renderMarkdownBlocks(text).join('');
}

// ---- Layer 3: the allowlist, applied to parsed HTML before it is attached to the page.

const ATTRIBUTES: Record<string, readonly string[]> = {
  a: ['href', 'title', 'rel', 'target', 'class'],
  span: ['class', 'title'],
  div: ['class'],
  code: ['class'],
  ol: ['start'],
  th: ['style'],
  td: ['style'],
};
const ELEMENTS = new Set([
  ...Object.keys(ATTRIBUTES),
  ...['p', 'br', 'wbr', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'ul', 'li', 'pre'],
  ...['em', 'strong', 's', 'table', 'thead', 'tbody', 'tr'],
]);
const BLOCKS = new Set([
  ...['p', 'div', 'pre', 'blockquote', 'ul', 'ol', 'li', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6'],
  ...['table', 'thead', 'tbody', 'tr', 'th', 'td'],
]);
const VALUES: Record<string, RegExp> = {
  class: /^[\w\s.+#-]*$/,
  style: /^text-align:(?:left|right|center)$/,
  start: /^\d{1,9}$/,
};
const HTML_NS = 'http://www.w3.org/1999/xhtml';

function isBlock(node: Node | null): boolean {
  return node?.nodeType === 1 && BLOCKS.has((node as Element).localName);
}

/**
 * Makes parsed markdown HTML safe in place (for a `<template>`'s content, before it is attached): an
 * element outside the allowlist becomes its text, an attribute outside it is dropped, an href that is
 * not http(s)/mailto unlinks its `<a>`, every link gets `target="_blank" rel="noopener noreferrer"`.
 * Also drops the newlines markdown-it writes between blocks, which are not part of the text.
 */
export function sanitizeTree(root: ParentNode): void {
  const doc = (root as Node).ownerDocument ?? (root as Document);
  for (const el of [...root.querySelectorAll('*')]) {
    const tag = el.localName;
    if (el.namespaceURI !== HTML_NS || !ELEMENTS.has(tag)) {
      el.replaceWith(doc.createTextNode(el.textContent ?? ''));
      continue;
    }
    const allowed = ATTRIBUTES[tag] ?? [];
    for (const { name, value } of [...el.attributes]) {
      const ok =
        allowed.includes(name) && (name === 'href' ? isSafeHref(value) : (VALUES[name]?.test(value) ?? true));
      if (!ok) el.removeAttribute(name);
    }
    if (tag === 'a') {
      if (el.hasAttribute('href')) {
        el.setAttribute('rel', 'noopener noreferrer');
        el.setAttribute('target', '_blank');
      } else {
        const span = doc.createElement('span');
        span.className = 'md-link-blocked';
        span.append(...el.childNodes);
        el.replaceWith(span);
      }
    }
  }
  const walker = doc.createTreeWalker(root as Node, 4 /* NodeFilter.SHOW_TEXT */);
  const blank: Text[] = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node as Text;
    if (!/^[\n\t ]*$/.test(text.data) || text.parentElement?.closest('pre')) continue;
    if (text.parentNode === root || isBlock(text.previousSibling) || isBlock(text.nextSibling))
      blank.push(text);
  }
  for (const text of blank) text.remove();
}
