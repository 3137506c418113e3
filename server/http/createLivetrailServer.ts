import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';
import { LIMITS } from '../../shared/limits.ts';
import type { Config } from '../config.ts';
import type { Context } from '../context.ts';
import { createHub, type Hub } from '../hub/createHub.ts';
import type { Logger } from '../logger.ts';
import { appRouter } from '../routers/_app.ts';
import type { EventStore } from '../store/eventStore.ts';
import { createSocketGate, type SocketGateOptions } from './createSocketGate.ts';
import { PLAIN_SSE_PATH, servePlainSse } from './plainSseRoute.ts';
import { sendError, sendJson } from './sendJson.ts';
import { serveStatic } from './serveStatic.ts';

/** A running livetrail server. */
export interface LivetrailServer {
  server: Server;
  /** The WebSocket side, e.g. for tests that drop every socket. */
  wss: WebSocketServer;
  hub: Hub;
  /** `http://host:port` once listening. */
  url: string;
  /** Tells WS clients to reconnect, ends every stream, closes the port. Does not close the store. */
  close(): Promise<void>;
}

/**
 * The one Node HTTP server: tRPC at /trpc (queries, mutations, SSE subscriptions), the same router
 * over WebSocket at /ws, the plain SSE URL under /api, /healthz and /readyz, and the SPA at /.
 */
export async function createLivetrailServer(opts: {
  config: Config;
  store: EventStore;
  log: Logger;
  socketGate?: SocketGateOptions;
}): Promise<LivetrailServer> {
  const { config, store, log } = opts;
  const hub = createHub(store);
  const ctx: Context = { store, hub, log };
  const createContext = () => ctx;
  const onError = ({
    error,
    path,
  }: {
    error: { code: string; message: string; cause?: unknown };
    path?: string;
  }) => {
    if (error.code === 'INTERNAL_SERVER_ERROR')
      log.error({ err: error.cause ?? error, path }, 'procedure failed');
  };

  const trpc = createHTTPHandler({
    router: appRouter,
    createContext,
    basePath: '/trpc/',
    maxBodySize: LIMITS.bodyBytes,
    onError,
  });

  const server = createServer(function route(req, res) {
    let url: URL;
    try {
      // Parsed against a fixed base: a request line like `GET //x:99` is not a valid relative URL.
      url = new URL(`http://localhost${(req.url ?? '/').startsWith('/') ? '' : '/'}${req.url ?? '/'}`);
    } catch {
      return sendError(res, 400, 'BAD_REQUEST', 'malformed request URL');
    }
    const path = url.pathname;
    if (path.startsWith('/trpc/')) return trpc(req, res);
    if (path === '/healthz' || path === '/readyz') {
      const health = store.health();
      const ready = path === '/healthz' ? health.ok : health.ok && health.live;
      return sendJson(res, ready ? 200 : 503, { ...health, ok: ready, store: store.kind });
    }
    const plain = PLAIN_SSE_PATH.exec(path);
    if (plain) {
      if (req.method !== 'GET') return sendError(res, 405, 'BAD_REQUEST', 'use GET');
      return void servePlainSse(ctx, req, res, plain[1]!, url.searchParams).catch((err) => {
        log.error({ err }, 'plain SSE failed');
        if (!res.headersSent) sendError(res, 500, 'INTERNAL', 'internal error');
        else res.end();
      });
    }
    if (path.startsWith('/api/')) return sendError(res, 404, 'NOT_FOUND', `no route ${path}`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'BAD_REQUEST', 'use GET');
    void serveStatic(config.staticDir, path, res).catch((err) => {
      log.error({ err }, 'static file failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Attached only once listening: before that it would re-emit a taken port as its own error.
  const wss = new WebSocketServer({ server, path: '/ws', maxPayload: LIMITS.bodyBytes });
  const wsHandler = applyWSSHandler({
    wss,
    router: appRouter,
    // One context per socket, carrying that socket's backpressure gate.
    createContext: ({ res }) => ({ ...ctx, waitForCapacity: createSocketGate(res, opts.socketGate) }),
    onError,
    keepAlive: { enabled: true, pingMs: 10_000, pongWaitMs: 5_000 },
  });

  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  return {
    server,
    wss,
    hub,
    url: `http://${host}:${port}`,
    async close() {
      wsHandler.broadcastReconnectNotification();
      // Give the reconnect notice a moment to leave before the sockets go.
      if (wss.clients.size > 0) await new Promise((r) => setTimeout(r, 50));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await closed;
      hub.close();
    },
  };
}
