import { createMemo, Show } from 'solid-js';
import type { CompactedMessage } from '../../shared/agentEvent.ts';
import { createRememberedToggle } from '../state/rowMemory.ts';
import { sameShown, shownMessage } from '../state/shownMessage.ts';
import type { EventOf } from '../state/timelineRows.ts';
import type { StreamedText } from '../state/trailState.ts';
import { FoldedMarkdown, isWide } from './Markdown.tsx';
import { IncompleteLabel, StreamingCaret } from './StreamingMarks.tsx';

const PREVIEW_CHARS = 120;
/** The preview reads only the start of the text, so a huge thought costs no more than a short one. */
const PREVIEW_SCAN = 1000;

/** The one-line preview of `text`: whitespace collapsed, cut at PREVIEW_CHARS with an ellipsis. */
function previewOf(text: string): string {
  const line = text.slice(0, PREVIEW_SCAN).replace(/\s+/g, ' ').trim();
  const more =
    line.length > PREVIEW_CHARS || (text.length > PREVIEW_SCAN && /\S/.test(text.slice(PREVIEW_SCAN)));
  return more ? `${line.slice(0, PREVIEW_CHARS)}…` : line;
}

/**
 * An agent's thought, collapsed to a one-line preview until clicked; opened, it is markdown. A streamed
 * thought shows `streamed`'s text as it grows, a caret while it is written (after the preview or the
 * body), and an "incomplete" label when the session ended first.
 */
export function ThoughtRow(props: { event: EventOf<'thought'> | CompactedMessage; streamed?: StreamedText }) {
  const { open, setOpen, Inside } = createRememberedToggle(false);
  const shown = createMemo(() => shownMessage(props.event, props.streamed), undefined, { equals: sameShown });
  const text = () => shown().text;
  return (
    <div class="thought" data-wide={isWide(text()) ? '' : undefined}>
      <button type="button" class="thought-toggle" aria-expanded={open()} onClick={() => setOpen(!open())}>
        <span class="thought-label">{open() ? '▾' : '▸'} Thought</span>
        <Show when={shown().incomplete}>
          <IncompleteLabel />
        </Show>
        <Show when={!open()}>
          <span class="thought-preview" dir="auto">
            {previewOf(text())}
          </span>
          <Show when={shown().open}>
            <StreamingCaret />
          </Show>
        </Show>
      </button>
      <Show when={open()}>
        <div class="text thought-body" data-part="thought-body">
          <Inside>
            <FoldedMarkdown
              text={text()}
              live={shown().open}
              caret={shown().open}
              maxLines={40}
              maxChars={4000}
            />
          </Inside>
        </div>
      </Show>
    </div>
  );
}
