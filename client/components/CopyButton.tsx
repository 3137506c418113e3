import { createSignal, onCleanup } from 'solid-js';

/** Copies `text()` to the clipboard; says "Copied" for a moment, or why it could not. */
export function CopyButton(props: { text: () => string; label?: string }) {
  const [said, setSaid] = createSignal<string | undefined>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text());
      setSaid('Copied');
    } catch {
      setSaid('Copy failed');
    }
    clearTimeout(timer);
    timer = setTimeout(() => setSaid(undefined), 1500);
  };
  return (
    <button
      type="button"
      class="copy-button"
      data-testid="copy-button"
      aria-label={props.label ?? 'Copy'}
      title={props.label ?? 'Copy'}
      onClick={() => void copy()}
    >
      {said() ?? 'Copy'}
    </button>
  );
}
