import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const envSchema = z
  .object({
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: int(0, 65535).default(3000),
    LIVETRAIL_STORE: z.enum(['file', 'memory', 'mongo']).default('file'),
    MONGODB_URI: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI')
      .optional(),
    MONGODB_DB: z
      .string()
      .regex(/^[^/\\. "$*<>:|?]{1,63}$/, 'must be a MongoDB database name')
      .default('livetrail'),
    LIVETRAIL_DATA_DIR: z.string().min(1).default('./.livetrail-data'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LIVETRAIL_STATIC_DIR: z.string().min(1).default('./dist/client'),
  })
  .refine((c) => c.LIVETRAIL_STORE !== 'mongo' || c.MONGODB_URI !== undefined, {
    path: ['MONGODB_URI'],
    message: 'is required when LIVETRAIL_STORE=mongo (e.g. mongodb://127.0.0.1:27017/?replicaSet=rs0)',
  });

/** The server's whole configuration, parsed once from the environment. */
export interface Config {
  host: string;
  port: number;
  store: 'file' | 'memory' | 'mongo';
  /** Connection string of the `mongo` store. */
  mongoUri?: string;
  /** Database of the `mongo` store. */
  mongoDb: string;
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
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
    const value = env[String(issue.path[0])];
    const shown = value === undefined ? '' : `=${JSON.stringify(value)}`;
    throw new Error(`bad config: ${issue.path.join('.')}${shown}: ${issue.message}`);
  }
  const c = parsed.data;
  return {
    host: c.HOST,
    port: c.PORT,
    store: c.LIVETRAIL_STORE,
    mongoUri: c.MONGODB_URI,
    mongoDb: c.MONGODB_DB,
    dataDir: c.LIVETRAIL_DATA_DIR,
    logLevel: c.LOG_LEVEL,
    staticDir: c.LIVETRAIL_STATIC_DIR,
  };
}
