import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const envSchema = z
  .object({
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: int(0, 65535).default(3000),
    LIVETRAIL_STORE: z.enum(['file', 'memory']).default('file'),
    LIVETRAIL_DATA_DIR: z.string().min(1).default('./.livetrail-data'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LIVETRAIL_SSE_PING_MS: int(1000, 600_000).default(10_000),
    LIVETRAIL_SSE_INACTIVITY_MS: int(2000, 3_600_000).default(25_000),
    LIVETRAIL_STATIC_DIR: z.string().min(1).default('./dist/client'),
  })
  .refine((c) => c.LIVETRAIL_SSE_PING_MS < c.LIVETRAIL_SSE_INACTIVITY_MS, {
    path: ['LIVETRAIL_SSE_PING_MS'],
    message: 'must be less than LIVETRAIL_SSE_INACTIVITY_MS (clients would reconnect between pings)',
  });

/** The server's whole configuration, parsed once from the environment. */
export interface Config {
  host: string;
  port: number;
  store: 'file' | 'memory';
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** SSE keep-alive comment interval. */
  ssePingMs: number;
  /** Clients reconnect when an SSE stream has been silent this long. */
  sseInactivityMs: number;
  /** Where the built SPA lives. */
  staticDir: string;
}

/** Config for tests and embedding: defaults plus overrides, no environment involved. */
export function defaultConfig(overrides: Partial<Config> = {}): Config {
  return { ...fromEnv({}), ...overrides };
}

/** Parses the environment; throws an Error whose message is one readable line naming the variable. */
export function fromEnv(env: Record<string, string | undefined>): Config {
  const blanksRemoved = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = envSchema.safeParse(blanksRemoved);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(
      `bad config: ${issue.path.join('.')}=${JSON.stringify(env[String(issue.path[0])])}: ${issue.message}`,
    );
  }
  const c = parsed.data;
  return {
    host: c.HOST,
    port: c.PORT,
    store: c.LIVETRAIL_STORE,
    dataDir: c.LIVETRAIL_DATA_DIR,
    logLevel: c.LOG_LEVEL,
    ssePingMs: c.LIVETRAIL_SSE_PING_MS,
    sseInactivityMs: c.LIVETRAIL_SSE_INACTIVITY_MS,
    staticDir: c.LIVETRAIL_STATIC_DIR,
  };
}
