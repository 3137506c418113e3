import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Headers of every HTML page: no script from elsewhere, never framed (no clickjacking), no referrer. */
export const HTML_SECURITY_HEADERS = {
  'content-security-policy': CSP,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>livetrail</title>
<p>The web app is not built yet. Run <code>npm start</code> (it builds it) or <code>npm run build</code>.</p>`;

/**
 * Serves the built SPA from `root`: files as they are (hashed assets cached for a year), and
 * index.html for any other path without an extension, so deep links like /sessions/abc work. An
 * unknown path under /assets/ is a 404, never index.html (which would then be cached as immutable).
 */
export async function serveStatic(root: string, pathname: string, res: ServerResponse): Promise<void> {
  const base = resolve(root);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    res.writeHead(400, { 'content-type': 'text/plain' }).end('malformed percent-encoding');
    return;
  }
  let file = resolve(join(base, normalize(decoded)));
  if (file !== base && !file.startsWith(base + sep)) {
    res.writeHead(400).end();
    return;
  }
  let info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    if (extname(pathname) !== '' || pathname.startsWith('/assets/')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    file = join(base, 'index.html');
    info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      res
        .writeHead(503, { 'content-type': 'text/html; charset=utf-8', ...HTML_SECURITY_HEADERS })
        .end(NOT_BUILT);
      return;
    }
  }
  const immutable = pathname.startsWith('/assets/');
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    // Defence in depth: even if agent text ever reached the DOM as HTML, it could not run script.
    ...(file.endsWith('.html') && HTML_SECURITY_HEADERS),
  });
  // pipeline, not pipe: a file that vanishes mid-rebuild or a client that leaves closes both ends.
  pipeline(createReadStream(file), res, () => {});
}
