import { get } from 'node:http';
import type { Subscriber, SubscriberHooks } from './subscriber.ts';

/**
 * An SSE subscriber on raw `http.get`, the same for every SSE server: ready at the first bytes of the
 * body (each server writes a first frame at once), then split on blank lines, and each frame holding
 * `data:` handed on whole, with its arrival time taken before any parsing.
 */
export function openSseSubscriber(url: string, hooks: SubscriberHooks, timeoutMs: number): Subscriber {
  let open = false;
  let closed = false;
  let settle: { resolve: () => void; reject: (err: Error) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const fail = (err: Error) => {
    if (closed) return;
    if (open) hooks.onDrop();
    else settle?.reject(err);
    closed = true;
  };
  const timer = setTimeout(() => {
    fail(new Error(`not open after ${timeoutMs} ms`));
    req.destroy();
  }, timeoutMs);
  const req = get(url, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
    if (res.statusCode !== 200) {
      fail(new Error(`status ${res.statusCode}`));
      res.resume();
      return;
    }
    res.setEncoding('utf8');
    let pending = '';
    res.on('data', (chunk: string) => {
      const at = performance.now();
      if (!open) {
        open = true;
        clearTimeout(timer);
        settle?.resolve();
      }
      pending += chunk;
      for (let end = pending.indexOf('\n\n'); end >= 0; end = pending.indexOf('\n\n')) {
        const frame = pending.slice(0, end);
        pending = pending.slice(end + 2);
        if (frame.includes('data:')) hooks.onMessage(frame, at);
      }
    });
    res.on('close', () => fail(new Error('stream closed')));
  });
  req.on('error', (err) => fail(err));
  return {
    ready,
    close() {
      clearTimeout(timer);
      closed = true;
      req.destroy();
    },
  };
}
