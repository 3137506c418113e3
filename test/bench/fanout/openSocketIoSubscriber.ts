import { io } from 'socket.io-client';
import type { Subscriber, SubscriberHooks } from './subscriber.ts';

/**
 * A Socket.IO subscriber: its own connection (`forceNew`, else every socket would share one), the
 * WebSocket transport only, no reconnection; ready at `connect`. Socket.IO decodes the payload
 * itself, so the arrival time is taken in the `event` listener and the event's text handed on.
 */
export function openSocketIoSubscriber(
  url: string,
  channel: string | undefined,
  hooks: SubscriberHooks,
  timeoutMs: number,
): Subscriber {
  let open = false;
  let closed = false;
  const socket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: timeoutMs,
    ...(channel !== undefined && { query: { channel } }),
  });
  const ready = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => {
      open = true;
      resolve();
    });
    socket.once('connect_error', (err) => {
      closed = true;
      reject(err);
    });
  });
  socket.on('event', (payload: { text?: unknown }) => {
    const at = performance.now();
    if (typeof payload.text === 'string') hooks.onMessage(payload.text, at);
  });
  socket.on('disconnect', () => {
    if (open && !closed) hooks.onDrop();
    closed = true;
  });
  return {
    ready,
    close() {
      closed = true;
      socket.disconnect();
    },
  };
}
