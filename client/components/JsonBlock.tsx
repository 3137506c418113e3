import { createSignal, Show } from 'solid-js';

const PREVIEW_CHARS = 80;

function pretty(value: unknown): string {
  // Strings (typical tool output) are shown as they are, not as an escaped JSON literal.
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

function preview(value: unknown): string {
  const line = (typeof value === 'string' ? value : JSON.stringify(value)).replace(/\s+/g, ' ');
  return line.length > PREVIEW_CHARS ? `${line.slice(0, PREVIEW_CHARS)}…` : line;
}

/** A collapsible, pretty-printed JSON value with a one-line preview; the body renders only when opened. */
export function JsonBlock(props: { label: string; value: unknown; part: string }) {
  const [open, setOpen] = createSignal(false);
  return (
    <details class="json" data-part={props.part} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        <span class="json-label">{props.label}</span>
        <Show when={!open()}>
          <code class="json-preview">{preview(props.value)}</code>
        </Show>
      </summary>
      <Show when={open()}>
        <pre class="json-body">{pretty(props.value)}</pre>
      </Show>
    </details>
  );
}
