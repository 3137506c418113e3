import type { IncomingMessage } from 'node:http';
import { applyWSSHandler, jsonEncoder } from '@trpc/server/adapters/ws';
import type { WebSocketServer } from 'ws';
import { TRANSPORT_TIMING } from '../../shared/transportTiming.ts';
import type { Principal } from '../auth/createAuthenticator.ts';
import type { Context, ServerContext } from '../context.ts';
import { appRouter } from '../routers/_app.ts';
import { createSocketGate, SOCKET_HIGH_WATER_BYTES, type SocketGateOptions } from './createSocketGate.ts';
import { createSubscriptionSlots } from './createSubscriptionSlots.ts';
import { createWsEncoder, createWsSink, takeStartedSubscription } from './wsEncoder.ts';

/** What a request learned at the door: who the client is and who its token says it is. */
export interface Admitted {
  ip: string;
  principal: Principal | undefined;
}

/**
 * The router over WebSocket (tRPC's handler on `wss`): one context per socket, carrying who was
 * admitted at the upgrade (or the token sent as connection params), that socket's backpressure gate,
 * its subscription cap and the direct sink subscriptions write to. Items are encoded once for all
 * sockets (`createWsEncoder`). Returns tRPC's handler (for its reconnect notice at shutdown).
 */
export function serveTrpcOverWebSocket(opts: {
  wss: WebSocketServer;
  base: ServerContext;
  admitted: WeakMap<IncomingMessage, Admitted>;
  socketGate: SocketGateOptions | undefined;
  onError: (info: { error: { code: string; message: string }; path?: string }) => void;
}) {
  const { base, admitted } = opts;
  return applyWSSHandler({
    wss: opts.wss,
    router: appRouter,
    maxBatchSize: base.limits.maxBatchCalls,
    createContext: ({ req, res, info }): Context => {
      const highWaterBytes = opts.socketGate?.highWaterBytes ?? SOCKET_HIGH_WATER_BYTES;
      const waitForCapacity = createSocketGate(res, {
        ...opts.socketGate,
        onCut: () => base.metrics?.slowReaderCut('ws'),
      });
      const door = admitted.get(req);
      const param = (info.connectionParams as { token?: unknown } | null | undefined)?.token;
      const principal =
        door?.principal ?? base.auth.authenticate(typeof param === 'string' ? param : undefined);
      return {
        ...base,
        principal,
        clientIp: door?.ip ?? 'unknown',
        transport: 'ws',
        waitForCapacity,
        directSink() {
          const started = takeStartedSubscription();
          return started && createWsSink(res, started, { highWaterBytes, waitForCapacity });
        },
        subscriptionSlots: createSubscriptionSlots(base.limits.maxWsSubscriptions),
      };
    },
    onError: opts.onError,
    experimental_encoder: createWsEncoder(jsonEncoder),
    keepAlive: {
      enabled: true,
      pingMs: TRANSPORT_TIMING.wsPingMs,
      pongWaitMs: TRANSPORT_TIMING.wsPongWaitMs,
    },
  });
}
