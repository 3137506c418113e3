import { createMemo, type JSX, Show } from 'solid-js';
import { createRememberedToggle } from '../state/rowMemory.ts';

/** Where a long text is cut while folded: the first lines, at most so many characters. */
export interface FoldLimits {
  /** @default 24 */
  maxLines?: number;
  /** @default 3000 */
  maxChars?: number;
}

/** The part of `text` shown while folded, and whether anything was left out. */
export function foldText(
  text: string,
  limits: FoldLimits = {},
): { shown: string; folded: boolean; lines: number } {
  const maxLines = limits.maxLines ?? 24;
  const maxChars = limits.maxChars ?? 3000;
  let lines = 1;
  let cut = -1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (lines === maxLines && cut === -1) cut = i;
    lines++;
  }
  let shown = cut === -1 ? text : text.slice(0, cut);
  if (shown.length > maxChars) shown = shown.slice(0, maxChars);
  return { shown, folded: shown.length < text.length, lines };
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * Long untrusted text, folded: the first lines (and at most so many characters, so one 100k-character
 * line cannot stall layout) with "Show all (N lines)". `children` renders the visible part (plain,
 * markdown, ANSI…); without it the text is shown as it is.
 */
export function FoldedText(
  props: FoldLimits & {
    text: string;
    children?: (visible: string) => JSX.Element;
  },
) {
  const { open, setOpen } = createRememberedToggle(false);
  const fold = createMemo(() => foldText(props.text, props));
  const visible = () => (open() || !fold().folded ? props.text : fold().shown);
  return (
    <div class="folded" data-folded={fold().folded && !open() ? 'true' : 'false'}>
      {props.children ? props.children(visible()) : <div class="text">{visible()}</div>}
      <Show when={fold().folded}>
        <button
          type="button"
          class="fold-toggle"
          data-testid="fold-toggle"
          aria-expanded={open()}
          onClick={() => setOpen(!open())}
        >
          {open()
            ? 'Show less'
            : `Show all (${count(fold().lines, 'line')}, ${count(props.text.length, 'character')})`}
        </button>
      </Show>
    </div>
  );
}
