import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Tally } from './createTally.ts';

/**
 * Opens `count` TCP connections from `source` in waves of `wave` (a burst of hundreds of SYNs would
 * overflow the server's listen backlog and measure that instead), calling `onOpen` for each connected
 * socket. Counts failures in `errors` by code; stops opening once `signal` aborts.
 */
export async function openSockets(opts: {
  url: string;
  source: string;
  count: number;
  wave: number;
  signal: AbortSignal;
  errors: Tally;
  onOpen: (socket: Socket) => void;
}): Promise<Socket[]> {
  const target = new URL(opts.url);
  const sockets: Socket[] = [];
  for (let i = 0; i < opts.count && !opts.signal.aborted; i += opts.wave) {
    const wave = Array.from(
      { length: Math.min(opts.wave, opts.count - i) },
      () =>
        new Promise<void>((resolve) => {
          const socket = connect({
            host: target.hostname,
            port: Number(target.port),
            localAddress: opts.source,
          });
          socket.setNoDelay(true);
          sockets.push(socket);
          socket.once('connect', () => {
            opts.onOpen(socket);
            resolve();
          });
          socket.once('error', (err: NodeJS.ErrnoException) => {
            opts.errors.add(`error:${err.code ?? err.name}`);
            resolve();
          });
        }),
    );
    await Promise.all(wave);
    await sleep(10);
  }
  return sockets;
}
