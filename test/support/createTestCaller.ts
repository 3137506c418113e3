import { createAuthenticator, type Principal } from '../../server/auth/createAuthenticator.ts';
import { type AbuseLimits, defaultConfig } from '../../server/config.ts';
import type { Context } from '../../server/context.ts';
import { createRateLimiter } from '../../server/domain/createRateLimiter.ts';
import { createHub } from '../../server/hub/createHub.ts';
import { createLogger } from '../../server/logger.ts';
import { appRouter } from '../../server/routers/_app.ts';
import type { EventStore } from '../../server/store/eventStore.ts';
import { createMemoryStore } from '../../server/store/memoryStore.ts';
import { createCallerFactory } from '../../server/trpc.ts';
import { TEST_TOKEN_ENTRIES } from './authFixture.ts';

/** Options of `createTestCaller`. */
export interface TestCallerOptions {
  /** Who calls. @default an admin (with auth on) */
  principal?: Principal | undefined;
  /** Whether the server has access control. @default true */
  auth?: boolean;
  limits?: Partial<AbuseLimits>;
  store?: EventStore;
  clientIp?: string;
}

/**
 * The router called in-process, as tRPC's own tests do: every middleware (roles, the append budget,
 * error mapping) and every input schema runs, with no HTTP server and no port.
 */
export function createTestCaller(opts: TestCallerOptions = {}) {
  const store = opts.store ?? createMemoryStore();
  const hub = createHub(store);
  const limits = { ...defaultConfig().limits, ...opts.limits };
  const auth = createAuthenticator({ enabled: opts.auth ?? true, tokens: TEST_TOKEN_ENTRIES });
  const ctx: Context = {
    store,
    hub,
    log: createLogger('silent'),
    auth,
    limits,
    appendLimiter: createRateLimiter({ ratePerSec: limits.appendRatePerSec, burst: limits.appendBurst }),
    principal: 'principal' in opts ? opts.principal : { role: 'admin', label: 'admin#1' },
    clientIp: opts.clientIp ?? '127.0.0.1',
  };
  const caller = createCallerFactory(appRouter)(ctx);
  return {
    caller,
    store,
    ctx,
    /** The same server state, called as someone else. */
    as(principal: Principal | undefined) {
      return createCallerFactory(appRouter)({ ...ctx, principal });
    },
    close() {
      hub.close();
    },
  };
}
