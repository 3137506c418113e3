import { type Agent, request } from 'node:http';

/** One HTTP request of an attacker. */
export interface AttackRequest {
  url: string;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Loopback address to connect from. */
  source: string;
  agent: Agent;
  signal: AbortSignal;
  /** Keep the body as text (for small answers the attacker needs, like a new session's id). */
  keepBody?: boolean;
}

/** Status and size of a response whose body was counted, not kept. */
export interface AttackResponse {
  status: number;
  bytes: number;
  /** The body, only with `keepBody`. */
  text?: string;
}

/**
 * Sends one request from `source` and counts the response body's bytes without keeping them, so an
 * attacker that receives 100 MB answers costs itself little memory.
 */
export function requestOnce(opts: AttackRequest): Promise<AttackResponse> {
  const target = new URL(opts.url);
  const body = typeof opts.body === 'string' ? Buffer.from(opts.body) : opts.body;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: opts.path,
        method: opts.method ?? 'GET',
        headers: { ...opts.headers, ...(body && { 'content-length': String(body.length) }) },
        localAddress: opts.source,
        agent: opts.agent,
        signal: opts.signal,
      },
      (res) => {
        let bytes = 0;
        const kept: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (opts.keepBody) kept.push(chunk);
        });
        res.once('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            bytes,
            ...(opts.keepBody && { text: Buffer.concat(kept).toString('utf8') }),
          }),
        );
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

/** The error's code (`ECONNRESET`, …) or name, for tallies. */
export function errorKey(err: unknown): string {
  const e = err as { code?: string; name?: string };
  return `error:${e.code ?? e.name ?? 'unknown'}`;
}
