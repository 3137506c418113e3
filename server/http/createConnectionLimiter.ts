import type { Socket } from 'node:net';

const REFUSAL_BODY = JSON.stringify({
  error: { code: 'UNAVAILABLE', message: 'too many connections; try again later' },
});

/** Writes a bare 503 on a raw socket (no HTTP parser is involved yet) and closes it. */
export function refuseSocket(socket: Socket, status = '503 Service Unavailable', body = REFUSAL_BODY): void {
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nRetry-After: 5\r\nConnection: close\r\n\r\n${body}`,
  );
  // A peer that never reads must not keep the socket: end() waits for the write to flush.
  setTimeout(() => socket.destroy(), 2000).unref();
}

/**
 * Caps open TCP connections in all, and open requests + WebSockets per client IP. Past a cap the
 * newcomer gets a 503 and is closed; everyone already connected is left alone.
 */
export function createConnectionLimiter(opts: { maxConnections: number; maxPerIp: number }) {
  let sockets = 0;
  const perIp = new Map<string, number>();
  return {
    /** Counts a new TCP connection; false (and the socket answered 503) when over the global cap. */
    admitSocket(socket: Socket): boolean {
      if (sockets >= opts.maxConnections) {
        refuseSocket(socket);
        return false;
      }
      sockets++;
      socket.once('close', () => sockets--);
      return true;
    },
    /** Takes a slot for one request or WebSocket of `ip`; returns its release, or undefined when full. */
    enter(ip: string): (() => void) | undefined {
      const n = perIp.get(ip) ?? 0;
      if (n >= opts.maxPerIp) return undefined;
      perIp.set(ip, n + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (perIp.get(ip) ?? 1) - 1;
        if (left === 0) perIp.delete(ip);
        else perIp.set(ip, left);
      };
    },
    /** Open TCP connections and the busiest IP's count, for tests and health. */
    stats() {
      return { sockets, ips: perIp.size };
    },
  };
}

/** A connection limiter as made by `createConnectionLimiter`. */
export type ConnectionLimiter = ReturnType<typeof createConnectionLimiter>;
