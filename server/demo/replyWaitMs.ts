/** How long a question waits for a person's reply at speed 1: long enough to read it and answer. */
export const REPLY_WAIT_MS = 10 * 60_000;
/** The shortest wait whatever `--speed` says: a person still needs time to type. */
export const MIN_REPLY_WAIT_MS = 2 * 60_000;

/** How long a demo agent waits for a reply at `speed`: 10 minutes shortened by the speed, never below 2. */
export function replyWaitMs(speed: number): number {
  return Math.max(MIN_REPLY_WAIT_MS, REPLY_WAIT_MS / speed);
}
