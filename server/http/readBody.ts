import type { IncomingMessage } from 'node:http';

/**
 * A request body as text, or undefined once it grows past `limit` bytes (the rest is left unread:
 * answer with `Connection: close` so it is not parsed as the next request). Slow bodies are cut by
 * the server's request timeout.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= limit) return void chunks.push(c);
      req.off('data', onData);
      req.pause();
      resolve(undefined);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
    req.on('close', () => resolve(undefined));
  });
}
