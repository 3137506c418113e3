import { createMemo, createSignal, For, type JSX } from 'solid-js';
import { insert } from 'solid-js/web';
import { renderMarkdownBlocks, sanitizeTree } from '../state/renderMarkdown.ts';
import { CopyButton } from './CopyButton.tsx';
import { FoldedText } from './FoldedText.tsx';
import './Markdown.css';

/** One top-level block of rendered markdown as DOM nodes, each code block with its copy button. */
function blockNodes(html: string): Node[] {
  const template = document.createElement('template');
  // innerHTML is safe here only because `html` comes from renderMarkdownBlocks: markdown-it runs with
  // `html: false`, so every `<`, `&` and quote of the agent's text arrives escaped, and its link and image
  // rules emit no href but http(s)/mailto and no <img>. On top of that, a <template>'s content is inert
  // (nothing in it runs or loads) and sanitizeTree re-checks it against an allowlist before it is attached.
  template.innerHTML = html;
  const content = template.content;
  sanitizeTree(content);
  for (const head of content.querySelectorAll('.md-code-head')) {
    const code = head.parentElement?.querySelector('pre > code');
    // The code's text nodes are the fence's content exactly (highlight.js only wraps it in spans).
    const raw = () => (code?.textContent ?? '').replace(/\n$/, '');
    insert(head, () => <CopyButton text={raw} label="Copy code" />);
  }
  return [...content.childNodes];
}

/**
 * Untrusted markdown, rendered (see renderMarkdown.ts for what keeps it inert) in a bidi-isolated box.
 * Rendering is a memo over `text`, one HTML string per top-level block; `<For>` keys blocks by that
 * string, so when the text grows only the blocks that changed are rebuilt (and highlighted code is
 * cached by content), and the DOM of the others, with any selection in it, stays.
 */
export function Markdown(props: { text: string }): JSX.Element {
  const blocks = createMemo(() => renderMarkdownBlocks(props.text));
  return (
    <div class="md" dir="auto">
      <For each={blocks()}>{(html) => blockNodes(html)}</For>
    </div>
  );
}

/**
 * Whether a message is long enough to fill its bubble's widest width anyway. Such a bubble gets that
 * width outright (`data-wide`, Markdown.css) instead of shrinking to fit: Chromium then lays its text out
 * once instead of measuring it for its intrinsic width first (about 2.5× faster for 100k characters).
 */
export function isWide(text: string): boolean {
  return text.length > 200;
}

/**
 * Markdown folded by FoldedText: while folded only the first lines (at most `maxChars` characters) are
 * rendered, behind "Show all". The text may grow (a message that streams in) without losing whether it
 * is unfolded, and without rebuilding the blocks that did not change.
 */
export function FoldedMarkdown(props: { text: string; maxLines?: number; maxChars?: number }): JSX.Element {
  // FoldedText calls its child function again whenever the visible part changes. Recreating <Markdown>
  // each time would rebuild every block, so it is created once, here, and fed the visible part through
  // a signal: the child function only passes the part on and returns the same element.
  const [visible, setVisible] = createSignal('');
  const body = <Markdown text={visible()} />;
  return (
    <FoldedText text={props.text} maxLines={props.maxLines ?? 40} maxChars={props.maxChars ?? 4000}>
      {(shown) => {
        setVisible(shown);
        return body;
      }}
    </FoldedText>
  );
}
