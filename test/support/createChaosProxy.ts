import { connect, createServer, type Socket } from 'node:net';

/** What the proxy does to traffic right now. */
export interface ChaosSettings {
  /** New connections are closed at once. */
  refuse: boolean;
  /** SSE requests (Accept: text/event-stream) get `502 Bad Gateway`. */
  failSse: boolean;
  /** SSE responses are held back entirely, like a buffering proxy. */
  stallSse: boolean;
  /** Every chunk in either direction waits this long. */
  delayMs: number;
}

/** A TCP proxy on 127.0.0.1 between clients and a server, with faults on demand. */
export interface ChaosProxy {
  url: string;
  port: number;
  settings: ChaosSettings;
  /** Cuts every open connection (both sides). */
  cutAll(): void;
  /** Cuts a random share of open connections. */
  cutSome(share: number, random?: () => number): number;
  /** Stalls every open connection's server→client bytes for `ms`, then lets them through. */
  stallAll(ms: number): void;
  openConnections(): number;
  close(): Promise<void>;
}

/** Starts a chaos proxy in front of `targetPort` on 127.0.0.1. */
export async function createChaosProxy(targetPort: number): Promise<ChaosProxy> {
  const settings: ChaosSettings = { refuse: false, failSse: false, stallSse: false, delayMs: 0 };
  const pairs = new Set<{ client: Socket; upstream: Socket; stallUntil: number }>();

  const server = createServer((client) => {
    if (settings.refuse) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    const pair = { client, upstream, stallUntil: 0, stallForever: false };
    pairs.add(pair);
    // Browsers reuse keep-alive connections, so every request on the connection is looked at, not
    // just the first: an EventSource may ride on the socket that loaded a script.
    const isSseRequest = (chunk: Buffer) => {
      const head = chunk.toString('latin1', 0, Math.min(chunk.length, 4096));
      return /^GET \S+ HTTP\/1\.[01]\r\n/.test(head) && /\r\naccept:\s*text\/event-stream/i.test(head);
    };
    const forward = (from: Socket, to: Socket, downstream: boolean) => {
      from.on('data', (chunk: Buffer) => {
        if (!downstream && isSseRequest(chunk)) {
          if (settings.failSse) {
            client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
            upstream.destroy();
            return;
          }
          if (settings.stallSse) pair.stallForever = true;
        }
        if (downstream && pair.stallForever) return;
        const wait = Math.max(settings.delayMs, downstream ? pair.stallUntil - Date.now() : 0);
        if (wait > 0) {
          from.pause();
          setTimeout(() => {
            if (!to.destroyed) to.write(chunk);
            from.resume();
          }, wait);
        } else if (!to.destroyed) to.write(chunk);
      });
    };
    forward(client, upstream, false);
    forward(upstream, client, true);
    const done = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', done).on('error', done);
    upstream.on('close', done).on('error', done);
    client.on('error', () => client.destroy());
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  const cut = (p: { client: Socket; upstream: Socket }) => {
    p.client.destroy();
    p.upstream.destroy();
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    settings,
    cutAll() {
      for (const p of [...pairs]) cut(p);
    },
    cutSome(share, random = Math.random) {
      let n = 0;
      for (const p of [...pairs]) {
        if (random() < share) {
          cut(p);
          n++;
        }
      }
      return n;
    },
    stallAll(ms) {
      for (const p of pairs) p.stallUntil = Date.now() + ms;
    },
    openConnections: () => pairs.size,
    async close() {
      for (const p of [...pairs]) cut(p);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
