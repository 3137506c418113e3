import { createMemo, createSignal, For, type JSX, Show } from 'solid-js';
import { insert } from 'solid-js/web';
import { createFrameCoalesced } from '../state/createFrameCoalesced.ts';
import { highlighterVersion } from '../state/highlightCode.ts';
import { sanitizeTree } from '../state/renderMarkdown.ts';
import { createMarkdownBlocks } from '../state/streamMarkdown.ts';
import { CopyButton } from './CopyButton.tsx';
import { FoldedText } from './FoldedText.tsx';
import { StreamingCaret } from './StreamingMarks.tsx';
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

/** How a text that streams in is shown: re-rendered at most once a frame, with a caret after it. */
export interface StreamingProps {
  /** The text is still growing: coalesce its renders to one per animation frame. */
  live?: boolean;
  /** Show the blinking caret after the text. */
  caret?: boolean;
}

/**
 * Untrusted markdown, rendered (see renderMarkdown.ts for what keeps it inert) in a bidi-isolated box.
 * Rendering is a memo over `text`, one HTML string per top-level block; `<For>` keys blocks by that
 * string, so when the text grows only the blocks that changed are rebuilt (and highlighted code is
 * cached by content), and the DOM of the others, with any selection in it, stays. A growing text is
 * not parsed whole each time either: the blocks that are final are kept (streamMarkdown.ts), and
 * while `live` the renders are coalesced to one per animation frame. Code is highlighted once
 * highlight.js has loaded (on the first code block): then every block is rendered again, once.
 */
export function Markdown(props: { text: string } & StreamingProps): JSX.Element {
  const text = createFrameCoalesced(
    () => props.text,
    () => props.live === true,
  );
  // A fresh renderer once highlight.js has loaded: the blocks it kept were rendered without it.
  const render = createMemo(() => {
    highlighterVersion();
    return createMarkdownBlocks();
  });
  const blocks = createMemo(() => render()(text()));
  return (
    <div class="md" dir="auto">
      <For each={blocks()}>{(html) => blockNodes(html)}</For>
      <Show when={props.caret}>
        <StreamingCaret />
      </Show>
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
 * is unfolded, and without rebuilding the blocks that did not change; while `live`, the fold too is
 * worked out at most once a frame.
 */
export function FoldedMarkdown(
  props: { text: string; maxLines?: number; maxChars?: number } & StreamingProps,
): JSX.Element {
  const text = createFrameCoalesced(
    () => props.text,
    () => props.live === true,
  );
  // FoldedText calls its child function again whenever the visible part changes. Recreating <Markdown>
  // each time would rebuild every block, so it is created once, here, and fed the visible part through
  // a signal: the child function only passes the part on and returns the same element.
  const [visible, setVisible] = createSignal('');
  const body = <Markdown text={visible()} caret={props.caret} />;
  return (
    <FoldedText text={text()} maxLines={props.maxLines ?? 40} maxChars={props.maxChars ?? 4000}>
      {(shown) => {
        setVisible(shown);
        return body;
      }}
    </FoldedText>
  );
}
