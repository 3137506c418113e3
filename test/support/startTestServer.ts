import { type Config, defaultConfig } from '../../server/config.ts';
import { createLivetrailServer, type LivetrailServer } from '../../server/http/createLivetrailServer.ts';
import type { SocketGateOptions } from '../../server/http/createSocketGate.ts';
import { createLogger } from '../../server/logger.ts';
import type { EventStore } from '../../server/store/eventStore.ts';
import { createMemoryStore } from '../../server/store/memoryStore.ts';

/** A server started by `startTestServer`. */
export type TestServer = LivetrailServer & { store: EventStore; stop(): Promise<void> };

/** An in-process server on 127.0.0.1 and a free port, with a memory store unless one is given. */
export async function startTestServer(
  opts: { store?: EventStore; port?: number; socketGate?: SocketGateOptions; config?: Partial<Config> } = {},
): Promise<TestServer> {
  const store = opts.store ?? createMemoryStore();
  const config = defaultConfig({ port: opts.port ?? 0, store: 'memory', ...opts.config });
  const app = await createLivetrailServer({
    config,
    store,
    log: createLogger('silent'),
    socketGate: opts.socketGate,
  });
  return {
    ...app,
    store,
    async stop() {
      await app.close();
      await store.close();
    },
  };
}

/** Drops every open HTTP and WebSocket connection without stopping the server. */
export function dropConnections(app: LivetrailServer): void {
  app.server.closeAllConnections();
  for (const ws of app.wss.clients) ws.terminate();
}
