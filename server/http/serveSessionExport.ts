import type { IncomingMessage, ServerResponse } from 'node:http';
import { sessionNotFound } from '../../shared/livetrailError.ts';
import { hasPermission } from '../../shared/roles.ts';
import type { Context } from '../context.ts';
import { publicError } from '../publicError.ts';
import { eventJson } from '../store/storedJson.ts';
import { drainedOf } from './drainedOf.ts';
import { parseSessionIdParam } from './parseSessionIdParam.ts';
import { sendError, sendMethodNotAllowed } from './sendJson.ts';

/** `/api/sessions/:id/export.ndjson` */
export const EXPORT_PATH = /^\/api\/sessions\/([^/]+)\/export\.ndjson$/;

/** Events read from the store per page: one page in memory at a time, whatever the trail's length. */
export const EXPORT_PAGE_EVENTS = 1000;

const STATUS_OF: Record<string, number> = { UNAVAILABLE: 503, INTERNAL: 500 };

/**
 * A whole session as NDJSON, for the web app's Export button and for scripts: every stored event
 * (as stored: raw deltas, never compacted), one JSON object per line, in seq order, through the
 * session's head when the request came (events stored meanwhile are not included). Read from the
 * store page by page and written with backpressure, so a long trail costs one page of memory. The
 * same access as `events.list` (any role that may read); 400 for a malformed id, 404 for an unknown
 * session. Returns false when `path` is not this route.
 */
export async function serveSessionExport(
  ctx: Context,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<boolean> {
  const match = EXPORT_PATH.exec(path);
  if (!match) return false;
  if (req.method !== 'GET') {
    sendMethodNotAllowed(res, 'GET');
    return true;
  }
  if (!ctx.principal) {
    res.setHeader('www-authenticate', 'Bearer');
    sendError(res, 401, 'UNAUTHORIZED', 'a valid access token is required (Authorization: Bearer <token>)');
    return true;
  }
  if (!hasPermission(ctx.principal.role, 'read')) {
    sendError(
      res,
      403,
      'FORBIDDEN',
      `exporting needs the read permission; the token's role is ${ctx.principal.role}`,
    );
    return true;
  }
  const param = parseSessionIdParam(match[1]!);
  if ('error' in param) {
    sendError(res, 400, 'BAD_REQUEST', param.error);
    return true;
  }
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  try {
    await writeExport(ctx, res, param.id, abort.signal);
  } catch (err) {
    const { code, message } = publicError(err, ctx.log, 'export');
    // Once lines are out, a cut connection is the only honest way to say the file is not whole.
    if (res.headersSent) res.destroy();
    else sendError(res, STATUS_OF[code] ?? 400, code, message);
  }
  return true;
}

/** Writes the response: headers once the session is known, then its events page by page. */
async function writeExport(ctx: Context, res: ServerResponse, sessionId: string, signal: AbortSignal) {
  const session = await ctx.store.getSession(sessionId);
  if (!session) return sendError(res, 404, 'NOT_FOUND', sessionNotFound(sessionId).message);
  res.writeHead(200, {
    'content-type': 'application/x-ndjson; charset=utf-8',
    'content-disposition': `attachment; filename="livetrail-${sessionId}.ndjson"`,
    'cache-control': 'no-store',
  });
  const head = session.lastSeq;
  let after = 0;
  while (after < head && !signal.aborted) {
    const page = await ctx.store.readEvents(sessionId, { after, limit: EXPORT_PAGE_EVENTS });
    if (page.length === 0) break;
    let chunk = '';
    for (const event of page) {
      if (event.seq > head) break;
      chunk += `${eventJson(event)}\n`;
      after = event.seq;
    }
    if (!res.write(chunk)) await drainedOf(res, signal);
    if (page.length < EXPORT_PAGE_EVENTS) break;
  }
  // Fewer events than the head said (a store that lost some): a 200 that ends would look whole.
  if (after < head && !signal.aborted) res.destroy();
  else res.end();
}
