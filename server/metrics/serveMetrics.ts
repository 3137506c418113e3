import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendMethodNotAllowed } from '../http/sendJson.ts';
import type { Metrics } from './createMetrics.ts';

/** Where Prometheus scrapes. */
export const METRICS_PATH = '/metrics';

/**
 * Answers a request for {@link METRICS_PATH}: GET and HEAD get 200 with the Prometheus text
 * exposition (`cache-control: no-store`; HEAD without the body), any other method 405 with
 * `allow: GET, HEAD`. It does NO access control: the caller must check that the client has the
 * admin role before calling it. A failing `render()` rejects, for the caller's error handler.
 */
export async function serveMetrics(
  metrics: Metrics,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendMethodNotAllowed(res, 'GET, HEAD');
  const { contentType, body } = await metrics.render();
  res.writeHead(200, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
