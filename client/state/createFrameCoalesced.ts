import { type Accessor, createMemo, createSignal, onCleanup } from 'solid-js';

/** The next animation frame, or a frame's worth of time where there are none. */
function nextFrame(run: () => void): () => void {
  if (typeof requestAnimationFrame === 'function') {
    const id = requestAnimationFrame(run);
    return () => cancelAnimationFrame(id);
  }
  const id = setTimeout(run, 16);
  return () => clearTimeout(id);
}

/**
 * `value()`, passed on at most once per animation frame while `live()` (a text streaming in: each
 * batch of deltas would otherwise re-render it, many times a frame for nothing), and at once
 * otherwise: the first value, every value while not live, and the value when `live()` turns false
 * (a message's final text is shown the moment it ends). Call it under an owner (a component).
 */
export function createFrameCoalesced<T>(value: Accessor<T>, live: Accessor<boolean>): Accessor<T> {
  const [frames, setFrames] = createSignal(0);
  let cancel: (() => void) | undefined;
  let due = false;
  let first = true;
  onCleanup(() => cancel?.());
  return createMemo<T>((previous) => {
    const next = value();
    frames();
    if (first || due || !live()) {
      first = false;
      due = false;
      cancel?.();
      cancel = undefined;
      return next;
    }
    cancel ??= nextFrame(() => {
      cancel = undefined;
      due = true;
      setFrames((n) => n + 1);
    });
    return previous as T;
  });
}
