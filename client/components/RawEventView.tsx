import { createMemo, type JSX, Show } from 'solid-js';
import { rawEventJson } from '../state/rawEventJson.ts';
import type { RememberedToggle } from '../state/rowMemory.ts';
import type { StreamedText, TrailEvent } from '../state/trailState.ts';
import { CopyButton } from './CopyButton.tsx';
import { FoldedText } from './FoldedText.tsx';
import './SessionActions.css';

/** The row's `{ }` button: shows or hides its event's raw JSON (remembered with the row). */
export function RawEventButton(props: { toggle: RememberedToggle }): JSX.Element {
  return (
    <button
      type="button"
      class="raw-event-button"
      data-testid="raw-event"
      aria-pressed={props.toggle.open()}
      // A toggle button: its name stays, aria-pressed says whether the JSON is shown.
      aria-label="Raw event JSON"
      title={props.toggle.open() ? 'Hide the raw event JSON' : 'Show the raw event JSON'}
      onClick={() => props.toggle.setOpen(!props.toggle.open())}
    >
      {'{ }'}
    </button>
  );
}

/** The event as JSON, as text (never HTML), folded when long, with a copy button. */
export function RawEventJson(props: {
  toggle: RememberedToggle;
  event: TrailEvent;
  streamed?: StreamedText;
}): JSX.Element {
  const json = createMemo(() => (props.toggle.open() ? rawEventJson(props.event, props.streamed) : ''));
  const Inside = props.toggle.Inside;
  return (
    <Show when={props.toggle.open()}>
      <Inside>
        <div class="raw-event" data-testid="raw-event-json">
          <CopyButton text={json} label="Copy the event JSON" />
          <FoldedText text={json()} maxLines={60} maxChars={20_000}>
            {(visible) => (
              <pre class="raw-event-pre" dir="ltr">
                {visible}
              </pre>
            )}
          </FoldedText>
        </div>
      </Inside>
    </Show>
  );
}
