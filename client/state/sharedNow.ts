import { type Accessor, createSignal, getOwner, onCleanup } from 'solid-js';

const [now, setNow] = createSignal(Date.now());
let users = 0;
let timer: ReturnType<typeof setInterval> | undefined;

/**
 * One clock for every relative time on the page (each timeline row's "3 min ago"), ticking every
 * second while anything uses it: one interval, however many rows are mounted.
 */
export function useSharedNow(): Accessor<number> {
  if (!getOwner()) return now;
  users++;
  if (users === 1) {
    setNow(Date.now());
    timer = setInterval(() => setNow(Date.now()), 1000);
  }
  onCleanup(() => {
    users--;
    if (users === 0) clearInterval(timer);
  });
  return now;
}
