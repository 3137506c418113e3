import type { LivetrailClient } from '@livetrail/client';

/** What a person said in a session, as the agent sees it. */
export interface UserMessageInbox {
  /** Takes every message that arrived and was not taken yet. */
  takeAll(): string[];
  /**
   * Waits for the next message; resolves `undefined` after `timeoutMs` or when the session ended.
   * Rejects with the signal's reason if it aborts.
   */
  next(timeoutMs: number, signal: AbortSignal): Promise<string | undefined>;
  /** True once the trail carried a `complete` event (possibly someone else's). */
  readonly ended: boolean;
  /**
   * Aborts, with an `Interrupted` reason, when a person asks the agent to stop (an `interrupt`
   * event: the web app's Stop button, `sessions.interrupt`).
   */
  readonly interrupted: AbortSignal;
  /** Unsubscribes. */
  close(): void;
}

/** Why `UserMessageInbox.interrupted` aborted: a person asked the agent to stop. */
export class Interrupted extends Error {
  constructor(readonly reason: string | undefined) {
    super(reason ? `stopped by a person: ${reason}` : 'stopped by a person');
    this.name = 'Interrupted';
  }
}

/**
 * Subscribes to a session's trail and collects the `user_message` events people send to it (e.g.
 * from the web app's reply box, or `sessions.sendMessage`). The subscription starts from seq 1, so a
 * reply sent before the agent started listening is not lost; the client resumes after the last seq
 * on reconnects, and seqs already seen are skipped in case the server resets the stream. An
 * `interrupt` aborts `interrupted` at once.
 */
export function watchUserMessages(api: LivetrailClient['api'], sessionId: string): UserMessageInbox {
  const queue: string[] = [];
  let lastSeq = 0;
  let ended = false;
  let wake: (() => void) | undefined;
  const interrupt = new AbortController();

  const subscription = api.events.onEvents.subscribe(
    { sessionId },
    {
      onData(message) {
        // Events arrive tracked (`{ id, data }`, the id being the seq); a reset arrives bare.
        const data = 'data' in message ? message.data : message;
        if (data.kind !== 'event' || data.event.seq <= lastSeq) return;
        lastSeq = data.event.seq;
        if (data.event.type === 'user_message') queue.push(data.event.text);
        if (data.event.type === 'complete') ended = true;
        if (data.event.type === 'interrupt' && !interrupt.signal.aborted)
          interrupt.abort(new Interrupted(data.event.reason));
        wake?.();
      },
      onError() {
        // Only non-retryable errors land here (the session is gone); the agent finds out on its next append.
        ended = true;
        wake?.();
      },
    },
  );

  return {
    get ended() {
      return ended;
    },
    interrupted: interrupt.signal,
    takeAll() {
      return queue.splice(0);
    },
    next(timeoutMs, signal) {
      return new Promise((resolve, reject) => {
        const finish = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          wake = undefined;
        };
        const check = () => {
          if (queue.length === 0 && !ended) return;
          finish();
          resolve(queue.shift());
        };
        const onAbort = () => {
          finish();
          reject(signal.reason);
        };
        const timer = setTimeout(() => {
          finish();
          resolve(undefined);
        }, timeoutMs);
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        wake = check;
        check();
      });
    },
    close() {
      subscription.unsubscribe();
    },
  };
}
