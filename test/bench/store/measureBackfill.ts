import { get } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createLivetrailClient, type SessionStreamMessage } from '@livetrail/client';

/** One new subscriber's backfill. */
export interface BackfillRun {
  /** Opening the stream → the last expected event received, ms. */
  ms: number;
  /** Opening the stream → the first event received, ms. */
  firstMs: number;
  events: number;
}

/** Longest a backfill may take before the run fails. */
const TIMEOUT_MS = 120_000;

/**
 * A new subscriber on the plain SSE route with a raw `http.get` (no EventSource in the way): frames
 * are split on blank lines and counted by their `id:` line; done at the frame with id `expected`.
 */
export function plainSseBackfill(url: string, sessionId: string, expected: number): Promise<BackfillRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let firstMs = -1;
    let events = 0;
    let pending = '';
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`plain SSE backfill: ${events}/${expected} events after ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
    const path = `${url}/api/sessions/${encodeURIComponent(sessionId)}/events/stream`;
    const req = get(path, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        clearTimeout(timer);
        res.resume();
        reject(new Error(`plain SSE backfill: status ${res.statusCode}`));
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        pending += chunk;
        let start = 0;
        for (let end = pending.indexOf('\n\n'); end >= 0; end = pending.indexOf('\n\n', start)) {
          if (pending.startsWith('id: ', start)) {
            events++;
            if (firstMs < 0) firstMs = performance.now() - t0;
            if (events === expected) {
              const ms = performance.now() - t0;
              clearTimeout(timer);
              req.destroy();
              resolve({ ms, firstMs, events });
              return;
            }
          }
          start = end + 2;
        }
        pending = pending.slice(start);
      });
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      if (events < expected) reject(err);
    });
  });
}

/**
 * A new subscriber with the typed client over tRPC SSE (`events.onEvents`, the `eventsource`
 * package as Node's EventSource): clock from subscribe() to the `expected`-th event.
 */
export function trpcSseBackfill(url: string, sessionId: string, expected: number): Promise<BackfillRun> {
  const client = createLivetrailClient({ url });
  return new Promise<BackfillRun>((resolve, reject) => {
    const t0 = performance.now();
    let firstMs = -1;
    let events = 0;
    const done = (err?: Error) => {
      clearTimeout(timer);
      sub.unsubscribe();
      client.close();
      if (err) reject(err);
      else resolve({ ms: performance.now() - t0, firstMs, events });
    };
    const timer = setTimeout(
      () => done(new Error(`tRPC SSE backfill: ${events}/${expected} events after ${TIMEOUT_MS} ms`)),
      TIMEOUT_MS,
    );
    const sub = client.api.events.onEvents.subscribe(
      { sessionId },
      {
        onData(value) {
          const m = ((value as { data?: unknown }).data ?? value) as SessionStreamMessage;
          if (m.kind !== 'event') return;
          events++;
          if (firstMs < 0) firstMs = performance.now() - t0;
          if (events === expected) done();
        },
        onError: (err) => done(err as Error),
      },
    );
  });
}
