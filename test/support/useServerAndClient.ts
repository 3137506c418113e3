import type { Unsubscribable } from '@trpc/server/observable';
import { afterEach, beforeEach } from 'vitest';
import {
  createLivetrailClient,
  type LivetrailClient,
  type Transport,
} from '../../shared/createLivetrailClient.ts';
import { nodeTransports } from '../../shared/nodeTransports.ts';
import { type Collected, collectSubscription } from './collectSubscription.ts';
import { startTestServer, type TestServer } from './startTestServer.ts';

/** What a test gets from `useServerAndClient`: always the current test's server and client. */
export interface ServerAndClient {
  readonly app: TestServer;
  readonly client: LivetrailClient;
  /** `collectSubscription`, unsubscribed for you after the test. */
  collect<T>(start: Parameters<typeof collectSubscription<T>>[0]): Collected<T>;
}

/**
 * Registers the hooks of a transport test: a fresh in-process server and a typed client on
 * `transport` (retrying subscriptions after 50 ms) per test; afterwards every collected
 * subscription is unsubscribed, the client closed and the server stopped.
 */
export function useServerAndClient(transport: Transport): ServerAndClient {
  let app: TestServer | undefined;
  let client: LivetrailClient | undefined;
  const subs: Unsubscribable[] = [];
  beforeEach(async () => {
    app = await startTestServer();
    client = createLivetrailClient({ url: app.url, transport, ...nodeTransports, retryDelayMs: () => 50 });
  });
  afterEach(async () => {
    for (const s of subs.splice(0)) s.unsubscribe();
    client?.close();
    await app?.stop();
    app = undefined;
    client = undefined;
  });
  return {
    get app() {
      return app!;
    },
    get client() {
      return client!;
    },
    collect<T>(start: Parameters<typeof collectSubscription<T>>[0]) {
      const c = collectSubscription<T>(start);
      subs.push(c);
      return c;
    },
  };
}
