import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { WebSocketServer } from 'ws';
import { LIMITS } from '../../shared/limits.ts';
import { type Authenticator, createAuthenticator, type Principal } from '../auth/createAuthenticator.ts';
import { requestToken } from '../auth/requestToken.ts';
import type { Config } from '../config.ts';
import type { Context, ServerContext } from '../context.ts';
import { createRateLimiter } from '../domain/createRateLimiter.ts';
import { idempotencyKeyHeader } from '../domain/requestKey.ts';
import { createHub, type Hub } from '../hub/createHub.ts';
import type { Logger } from '../logger.ts';
import { createMetrics, type Transport } from '../metrics/createMetrics.ts';
import { METRICS_PATH, serveMetrics } from '../metrics/serveMetrics.ts';
import { timeAppends } from '../metrics/timeAppends.ts';
import { publicError } from '../publicError.ts';
import { appRouter } from '../routers/_app.ts';
import type { EventStore } from '../store/eventStore.ts';
import { createConnectionLimiter, refuseSocket } from './createConnectionLimiter.ts';
import { createRequestGuard, type RequestGuard } from './createRequestGuard.ts';
import type { SocketGateOptions } from './createSocketGate.ts';
import { createStallWatch } from './createStallWatch.ts';
import { guardWebSocket } from './guardWebSocket.ts';
import { PLAIN_SSE_PATH, servePlainSse } from './plainSseRoute.ts';
import { createTrpcScreen, MAX_REQUEST_DEPTH, sendTrpcError } from './screenTrpcRequest.ts';
import { sendError, sendJson, sendMethodNotAllowed } from './sendJson.ts';
import { serveAuthApi, serveSignInUrl } from './serveAuthRoutes.ts';
import { serveSessionExport } from './serveSessionExport.ts';
import { createSseResponder, isSubscriptionPath } from './serveSseSubscription.ts';
import { serveStatic } from './serveStatic.ts';
import { type Admitted, serveTrpcOverWebSocket } from './serveTrpcOverWebSocket.ts';

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
 * over WebSocket at /ws, the plain SSE URL under /api, sign-in under /api, /healthz and /readyz,
 * and the SPA at /. Every request passes the Host and Origin checks, the connection caps and the
 * slow-client timeouts first; procedures then check the caller's role.
 */
export async function createLivetrailServer(opts: {
  config: Config;
  store: EventStore;
  log: Logger;
  socketGate?: SocketGateOptions;
  /** Replaces the authenticator built from `config.auth` and `config.tokens` (tests). */
  auth?: Authenticator;
}): Promise<LivetrailServer> {
  const { config, log } = opts;
  const { limits } = config;
  const metrics = createMetrics({ storeHealth: () => opts.store.health(), storeKind: opts.store.kind });
  const store = timeAppends(opts.store, metrics);
  const hub = createHub(store, { metrics });
  const auth = opts.auth ?? createAuthenticator({ enabled: config.auth === 'on', tokens: config.tokens });
  const base: ServerContext = {
    store,
    hub,
    log,
    auth,
    limits,
    appendLimiter: createRateLimiter({ ratePerSec: limits.appendRatePerSec, burst: limits.appendBurst }),
    metrics,
  };
  const screenTrpc = createTrpcScreen({
    limits,
    appendLimiter: base.appendLimiter,
    authEnabled: auth.enabled,
  });
  const signinLimiter = createRateLimiter({ ratePerSec: 1, burst: 10 });
  const admitted = new WeakMap<IncomingMessage, Admitted>();
  const connections = createConnectionLimiter({
    maxConnections: limits.maxConnections,
    maxPerIp: limits.maxConnectionsPerIp,
  });
  const refused = new WeakSet<Socket>();
  /** Which transport each streaming response serves, for the slow-reader count. */
  const streams = new WeakMap<ServerResponse, Transport>();
  const stallWatch = createStallWatch({
    maxStallMs: limits.stalledReaderMs,
    onCut: (res) => {
      const transport = streams.get(res);
      if (transport) metrics.slowReaderCut(transport);
    },
  });
  // Set once listening, when the port is known (PORT=0).
  let guard: RequestGuard = createRequestGuard(config, config.port);

  const onError = ({ error, path }: { error: { code: string; message: string }; path?: string }) => {
    // Unexpected errors are logged once, with their ref, by the error formatter (publicError).
    if (error.code === 'INTERNAL_SERVER_ERROR' && path === undefined)
      log.debug({ error: error.message }, 'request failed');
  };

  const httpContext = (req: IncomingMessage): Context => {
    const { principal, ip: clientIp = 'unknown' } = admitted.get(req) ?? {};
    return {
      ...base,
      principal,
      clientIp,
      transport: 'sse',
      idempotencyKeyHeader: idempotencyKeyHeader(req.headers),
    };
  };
  const trpc = createHTTPHandler({
    router: appRouter,
    createContext: ({ req }) => httpContext(req),
    basePath: '/trpc/',
    maxBodySize: LIMITS.bodyBytes,
    maxBatchSize: limits.maxBatchCalls,
    onError,
    responseMeta({ errors }) {
      const waits = errors.map((e) => (e.cause as { retryAfterMs?: number } | undefined)?.retryAfterMs ?? 0);
      const wait = Math.max(0, ...waits);
      return wait > 0 ? { headers: { 'retry-after': String(Math.ceil(wait / 1000)) } } : {};
    },
  });

  // Subscriptions over SSE skip tRPC's response machinery: see serveSseSubscription.
  const sse = createSseResponder({ router: appRouter, createContext: httpContext, hooks: { onError } });

  async function route(req: IncomingMessage, res: ServerResponse, ip: string): Promise<void> {
    res.setHeader('x-content-type-options', 'nosniff');
    let url: URL;
    try {
      // Parsed against a fixed base: a request line like `GET //x:99` is not a valid relative URL.
      url = new URL(`http://localhost${(req.url ?? '/').startsWith('/') ? '' : '/'}${req.url ?? '/'}`);
    } catch {
      return sendError(res, 400, 'BAD_REQUEST', 'malformed request URL');
    }
    const path = url.pathname;
    // Health stays open to load balancers and probes, whatever Host they use.
    if (path === '/healthz' || path === '/readyz') {
      const health = store.health();
      const ready = path === '/healthz' ? health.ok : health.ok && health.live;
      return sendJson(res, ready ? 200 : 503, { ...health, ok: ready, store: store.kind });
    }
    const apiPath = path.startsWith('/trpc/') || path.startsWith('/api/');
    const no = guard.refusal(req, apiPath);
    if (no) return sendError(res, no.status, no.code, no.message);
    const principal = auth.authenticate(requestToken(req.headers));
    admitted.set(req, { ip, principal });

    if (path.startsWith('/trpc/')) {
      const early = await screenTrpc(req, res, path, url, { principal, ip });
      if (early) return sendTrpcError(res, early);
      const procedurePath = path.slice('/trpc/'.length);
      if (req.method === 'GET' && isSubscriptionPath(appRouter, procedurePath)) {
        streams.set(res, 'sse');
        res.once('close', metrics.connectionOpened('sse'));
        return sse.serveSseSubscription(req, res, procedurePath, url);
      }
      return trpc(req, res);
    }
    if (await serveAuthApi({ auth, guard, signinLimiter }, req, res, path, ip)) return;
    if (path === METRICS_PATH) {
      if (principal?.role !== 'admin') return refuseNonAdmin(res, principal);
      return serveMetrics(metrics, req, res);
    }
    const plain = PLAIN_SSE_PATH.exec(path);
    if (plain) {
      if (req.method !== 'GET') return sendMethodNotAllowed(res, 'GET');
      if (!principal) return sendUnauthorized(res);
      const ctx: Context = { ...base, principal, clientIp: ip, transport: 'plain_sse' };
      streams.set(res, 'plain_sse');
      res.once('close', metrics.connectionOpened('plain_sse'));
      return servePlainSse(ctx, req, res, plain[1]!, url.searchParams);
    }
    if (await serveSessionExport({ ...base, principal, clientIp: ip }, req, res, path)) return;
    if (path.startsWith('/api/')) return sendError(res, 404, 'NOT_FOUND', `no route ${path}`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendMethodNotAllowed(res, 'GET, HEAD');
    if (serveSignInUrl({ auth, guard, signinLimiter }, req, res, url)) return;
    return serveStatic(config.staticDir, path, res);
  }

  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      // Covers receiving the whole request (a slow body), not the response: SSE streams are untouched.
      requestTimeout: limits.bodyTimeoutMs,
      // Node checks the two timeouts only this often; its default of 30 s would let them overrun.
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
    function handleRequest(req, res) {
      if (refused.has(req.socket)) return void req.socket.destroy();
      const ip = guard.clientIp(req);
      const release = connections.enter(ip);
      if (!release) {
        res.setHeader('retry-after', '5');
        res.setHeader('connection', 'close');
        return sendError(res, 503, 'UNAVAILABLE', 'too many connections from this address; try again later');
      }
      res.once('close', release);
      stallWatch.watch(res);
      route(req, res, ip).catch((err: unknown) => {
        const { message } = publicError(err, log, req.url ?? 'http');
        if (!res.headersSent) sendError(res, 500, 'INTERNAL', message);
        else res.destroy();
      });
    },
  );
  server.on('connection', (socket: Socket) => {
    if (!connections.admitSocket(socket)) refused.add(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  guard = createRequestGuard(config, port);

  // Attached only once listening: before that it would re-emit a taken port as its own error.
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.bodyBytes });
  server.on('upgrade', function admitWebSocket(req: IncomingMessage, socket: Socket, head: Buffer) {
    socket.on('error', () => socket.destroy());
    if (refused.has(socket)) return void socket.destroy();
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/ws')
      return refuseSocket(
        socket,
        '404 Not Found',
        '{"error":{"code":"NOT_FOUND","message":"WebSocket is at /ws"}}',
      );
    // A foreign Origin is refused before the handshake: never a 101 to another site's page.
    const no = guard.refusal(req, true);
    if (no) {
      return refuseSocket(
        socket,
        `${no.status} ${no.status === 421 ? 'Misdirected Request' : 'Forbidden'}`,
        JSON.stringify({ error: { code: no.code, message: no.message } }),
      );
    }
    const ip = guard.clientIp(req);
    // A browser's cookie (or a client's header) is checked here, a token sent as tRPC's connection
    // params once the socket is open. A wrong one is not refused at the handshake — a browser would
    // only see a dropped socket and retry — but every procedure then answers UNAUTHORIZED.
    const principal = auth.authenticate(requestToken(req.headers));
    const release = connections.enter(ip);
    if (!release) return refuseSocket(socket);
    admitted.set(req, { ip, principal });
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.once('close', release);
      ws.once('close', metrics.connectionOpened('ws'));
      guardWebSocket(ws, { maxDepth: MAX_REQUEST_DEPTH });
      wss.emit('connection', ws, req);
    });
  });
  const wsHandler = serveTrpcOverWebSocket({ wss, base, admitted, socketGate: opts.socketGate, onError });

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
      stallWatch.close();
      sse.close();
      await closed;
      hub.close();
    },
  };
}

/** 401 with the Bearer challenge. */
function sendUnauthorized(res: ServerResponse): void {
  res.setHeader('www-authenticate', 'Bearer');
  sendError(res, 401, 'UNAUTHORIZED', 'a valid access token is required (Authorization: Bearer <token>)');
}

/** `/metrics` is for operators: 401 without a valid token, 403 for any role but admin. */
function refuseNonAdmin(res: ServerResponse, principal: Principal | undefined): void {
  if (!principal) sendUnauthorized(res);
  else sendError(res, 403, 'FORBIDDEN', `metrics need the admin role; the token's role is ${principal.role}`);
}
