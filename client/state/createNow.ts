import { type Accessor, createSignal, onCleanup } from 'solid-js';

/** The current time in ms, refreshed every `intervalMs` so relative times stay fresh. @default 1000 */
export function createNow(intervalMs = 1000): Accessor<number> {
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), intervalMs);
  onCleanup(() => clearInterval(timer));
  return now;
}
