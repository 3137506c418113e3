/**
 * Prints what readers that stop reading cost the server: several SSE and WebSocket subscribers stop
 * reading their sockets while 20 000 events (~1 KB each, ~20 MB) are appended; the script reports the
 * server's heap and RSS growth and what happened to the stalled WebSocket readers — with the socket
 * gate (the default) and, for contrast, with it disabled. Run: `npm run bench:stalled`.
 */
import { connect, type Socket } from 'node:net';
import os from 'node:os';
import type { AgentEvent } from '@livetrail/client';
import { WebSocket } from 'ws';
import type { SocketGateOptions } from '../../server/http/createSocketGate.ts';
import { startTestServer } from '../support/startTestServer.ts';

const READERS = 5;
const EVENTS = 20_000;
const event = (i: number): AgentEvent => ({ type: 'assistant_message', text: `${i} `.padEnd(1000, 'x') });
const gc = (globalThis as { gc?: () => void }).gc;
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

function settle(): Promise<void> {
  gc?.();
  return new Promise((r) => setTimeout(r, 200));
}

/** An SSE subscriber that sends its request and then never reads a byte. */
function stalledSse(port: number, sessionId: string): Socket {
  const input = encodeURIComponent(JSON.stringify({ sessionId }));
  const socket = connect(port, '127.0.0.1');
  socket.write(
    `GET /trpc/events.onEvents?input=${input} HTTP/1.1\r\nhost: x\r\naccept: text/event-stream\r\n\r\n`,
  );
  socket.pause();
  return socket;
}

/** A WebSocket subscriber that subscribes and then never reads a byte. */
async function stalledWs(port: number, sessionId: string): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  await new Promise((r) => ws.once('open', r));
  ws.send(
    JSON.stringify({
      id: 1,
      method: 'subscription',
      params: { path: 'events.onEvents', input: { sessionId } },
    }),
  );
  await new Promise((r) => setTimeout(r, 100));
  (ws as unknown as { _socket: Socket })._socket.pause();
  return ws;
}

async function measure(label: string, socketGate: SocketGateOptions) {
  const app = await startTestServer({ socketGate });
  const port = (app.server.address() as { port: number }).port;
  const session = await app.store.createSession({ title: 'stall', agent: 'bench' });
  await settle();
  const before = process.memoryUsage();
  const sse = Array.from({ length: READERS }, () => stalledSse(port, session.id));
  const ws = await Promise.all(Array.from({ length: READERS }, () => stalledWs(port, session.id)));
  for (let i = 0; i < EVENTS; i += 500) {
    await app.store.append(
      session.id,
      Array.from({ length: 500 }, (_, j) => event(i + j)),
    );
    await new Promise((r) => setImmediate(r));
  }
  await new Promise((r) => setTimeout(r, (socketGate.maxStallMs ?? 0) + 1000));
  await settle();
  const after = process.memoryUsage();
  // Counted on the server: a paused client socket does not notice that it was dropped.
  const wsLeft = app.wss.clients.size;
  for (const s of sse) s.destroy();
  for (const w of ws) w.terminate();
  await app.stop();
  return {
    server: label,
    'stalled readers': `${READERS} SSE + ${READERS} WS`,
    'heap +MB': mb(after.heapUsed - before.heapUsed),
    'rss +MB': mb(after.rss - before.rss),
    'external +MB': mb(after.external + after.arrayBuffers - before.external - before.arrayBuffers),
    'WS readers disconnected': `${READERS - wsLeft}/${READERS}`,
  };
}

const rows = [];
rows.push(await measure('gate on (1 MiB, 2 s)', { highWaterBytes: 1024 * 1024, maxStallMs: 2000 }));
rows.push(await measure('gate off', { highWaterBytes: Number.POSITIVE_INFINITY }));
console.log(
  `${EVENTS} events of ~1 KB appended while readers stall (the store itself holds ~${mb(EVENTS * 1100)} MB); ` +
    `${gc ? '' : 'run with node --expose-gc for steadier numbers; '}${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}`,
);
console.table(rows);
