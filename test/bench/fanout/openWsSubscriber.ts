import { WebSocket } from 'ws';
import type { Subscriber, SubscriberHooks } from './subscriber.ts';

/**
 * A WebSocket subscriber on raw `ws`. Without `subscribe` it is ready when open (the bare floor);
 * with it, it sends that message once open and is ready at the first message holding `"started"`
 * (tRPC's `{"result":{"type":"started"}}`). It answers tRPC's keep-alive `PING` with `PONG`; every
 * other message is handed on as text, with its arrival time taken before decoding.
 */
export function openWsSubscriber(
  url: string,
  hooks: SubscriberHooks,
  timeoutMs: number,
  subscribe?: string,
): Subscriber {
  let open = false;
  let closed = false;
  let settle: { resolve: () => void; reject: (err: Error) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const markOpen = () => {
    open = true;
    clearTimeout(timer);
    settle?.resolve();
  };
  const fail = (err: Error) => {
    if (closed) return;
    if (open) hooks.onDrop();
    else settle?.reject(err);
    closed = true;
  };
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const timer = setTimeout(() => {
    fail(new Error(`not open after ${timeoutMs} ms`));
    ws.terminate();
  }, timeoutMs);
  ws.on('open', () => {
    if (subscribe === undefined) markOpen();
    else ws.send(subscribe);
  });
  ws.on('message', (data: Buffer) => {
    const at = performance.now();
    const text = data.toString();
    if (text === 'PING') return void ws.send('PONG');
    if (!open && text.includes('"started"')) markOpen();
    hooks.onMessage(text, at);
  });
  ws.on('error', (err) => fail(err));
  ws.on('close', () => fail(new Error('socket closed')));
  return {
    ready,
    close() {
      clearTimeout(timer);
      closed = true;
      ws.terminate();
    },
  };
}
