import type { IncomingMessage } from 'node:http';
import type { Config } from '../config.ts';

/** The names of this machine, which a DNS-rebinding page can never put in its `Host`. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** Checks the `Host` and `Origin` of requests, and tells who the client is. */
export interface RequestGuard {
  /** Whether `Host` names this server: the loopback names with its port, or an allowed host. */
  hostAllowed(host: string | undefined): boolean;
  /**
   * Whether a browser `Origin` may use the API: no `Origin` (not a browser page), the server's own
   * origin (its host equals the request's `Host`), or one listed in LIVETRAIL_ALLOWED_ORIGINS.
   */
  originAllowed(origin: string | undefined, host: string | undefined): boolean;
  /** The client's address: the socket's, or `X-Forwarded-For`'s as far as the proxies are trusted. */
  clientIp(req: IncomingMessage): string;
  /**
   * The cheap checks every request passes before any work — its Host, and for API paths a browser
   * Origin — as the answer to send, or undefined when it may go on.
   */
  refusal(
    req: IncomingMessage,
    apiPath: boolean,
  ): { status: 421 | 403; code: string; message: string } | undefined;
  /** Whether the client reached us over TLS (directly, or per a trusted proxy's X-Forwarded-Proto). */
  isSecure(req: IncomingMessage): boolean;
}

/** A guard for a server listening on `port` with `config`'s allow-lists. */
export function createRequestGuard(config: Config, port: number): RequestGuard {
  const exact = new Set<string>(LOOPBACK_NAMES.map((n) => `${n}:${port}`));
  if (port === 80) for (const n of LOOPBACK_NAMES) exact.add(n);
  const anyPort = new Set<string>();
  for (const h of config.allowedHosts) {
    if (/:\d+$/.test(h)) exact.add(h);
    else anyPort.add(h);
  }
  const origins = new Set(config.allowedOrigins);
  const hops = config.trustProxyHops;

  function hostAllowed(host: string | undefined): boolean {
    if (!host) return false;
    const h = host.toLowerCase();
    if (exact.has(h)) return true;
    return anyPort.has(h.replace(/:\d+$/, ''));
  }

  function originAllowed(origin: string | undefined, host: string | undefined): boolean {
    if (origin === undefined) return true;
    if (origins.has(origin)) return true;
    try {
      // `URL.host` leaves out a default port, as browsers do in `Host`.
      return host !== undefined && new URL(origin).host === host.toLowerCase();
    } catch {
      return false;
    }
  }

  return {
    hostAllowed,
    originAllowed,
    refusal(req, apiPath) {
      if (!hostAllowed(req.headers.host)) {
        return {
          status: 421,
          code: 'BAD_REQUEST',
          message: 'this server does not answer to that Host (see LIVETRAIL_ALLOWED_HOSTS)',
        };
      }
      if (apiPath && !originAllowed(req.headers.origin, req.headers.host)) {
        return {
          status: 403,
          code: 'FORBIDDEN',
          message: 'requests from this Origin are not allowed (see LIVETRAIL_ALLOWED_ORIGINS)',
        };
      }
      return undefined;
    },
    clientIp(req) {
      const direct = req.socket.remoteAddress ?? 'unknown';
      if (hops === 0) return direct;
      const header = req.headers['x-forwarded-for'];
      const chain = (Array.isArray(header) ? header.join(',') : (header ?? ''))
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      // Each trusted proxy appends the address it saw; anything further left is the client's say-so.
      return chain[Math.max(0, chain.length - hops)] ?? direct;
    },
    isSecure(req) {
      if ((req.socket as { encrypted?: boolean }).encrypted) return true;
      return (
        hops > 0 &&
        String(req.headers['x-forwarded-proto'] ?? '')
          .split(',')[0]
          ?.trim()
          .toLowerCase() === 'https'
      );
    },
  };
}
