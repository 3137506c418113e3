import { z } from 'zod';
import { ROLES, type Role } from '../shared/roles.ts';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Printable, cookie- and header-safe characters; commas and colons separate entries. */
const TOKEN = /^[A-Za-z0-9._~+/=-]{16,512}$/;

/** Variables whose values are never echoed in an error line. */
const SECRET_VARS = new Set(['LIVETRAIL_TOKENS']);

/** A configured access token and its role. */
export interface TokenEntry {
  role: Role;
  token: string;
  /** How logs and rate limits name the token (`agent#2`): never the token itself. */
  label: string;
}

const list = (item: z.ZodType<string, string>) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== ''),
    )
    .pipe(z.array(item));

const tokensSchema = z.string().transform((raw, ctx): TokenEntry[] => {
  const entries: TokenEntry[] = [];
  const seen = new Set<string>();
  const parts = raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  for (const [i, part] of parts.entries()) {
    const colon = part.indexOf(':');
    const role = part.slice(0, colon) as Role;
    const token = part.slice(colon + 1);
    const where = `entry ${i + 1}`;
    let problem: string | undefined;
    if (colon < 0) problem = `${where} must be role:token`;
    // The role is not echoed: an entry written token-first would print the token.
    else if (!ROLES.includes(role)) problem = `${where} has an unknown role; roles are ${ROLES.join(', ')}`;
    else if (!TOKEN.test(token))
      problem = `${where}: a token is 16–512 characters of A–Z a–z 0–9 . _ ~ + / = -`;
    else if (seen.has(token)) problem = `${where} repeats a token`;
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    seen.add(token);
    entries.push({ role, token, label: `${role}#${entries.filter((e) => e.role === role).length + 1}` });
  }
  return entries;
});

const originSchema = z.string().refine((s) => {
  try {
    const u = new URL(s);
    const bare = u.pathname === '/' && !u.search && !u.hash && !u.username && !u.password;
    return (u.protocol === 'http:' || u.protocol === 'https:') && bare && !/\/\/[^/]*\/./.test(s);
  } catch {
    return false;
  }
}, 'each entry must be an origin like https://app.example.com (scheme, host, optional port)');

const hostSchema = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, 'each entry must be host or host:port')
  .refine((h) => Number(/:(\d+)$/.exec(h)?.[1] ?? 1) <= 65535, 'each port must be at most 65535');

const envSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(3000),
  // `file` was the NDJSON journal store; it now names the SQLite store (its journal is imported).
  LIVETRAIL_STORE: z
    .enum(['sqlite', 'file', 'memory', 'mongo'])
    .default('sqlite')
    .transform((s) => (s === 'file' ? 'sqlite' : s)),
  LIVETRAIL_RECOVER: z.enum(['0', '1']).default('0'),
  LIVETRAIL_RETENTION_DAYS: int(1, 36_500).optional(),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI')
    .optional(),
  MONGODB_DB: z
    .string()
    .regex(/^[^/\\. "$*<>:|?]{1,63}$/, 'must be a MongoDB database name')
    .default('livetrail'),
  LIVETRAIL_MONGO_TIMEOUT_MS: int(2_000, 600_000).default(10_000),
  LIVETRAIL_MONGO_SERVER_SELECTION_MS: int(1_000, 600_000).default(20_000),
  LIVETRAIL_DATA_DIR: z.string().min(1).default('./.livetrail-data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LIVETRAIL_STATIC_DIR: z.string().min(1).default('./dist/client'),
  LIVETRAIL_TOKENS: tokensSchema.default([]),
  LIVETRAIL_AUTH: z.enum(['on', 'off']).optional(),
  LIVETRAIL_ALLOWED_ORIGINS: list(originSchema).default([]),
  LIVETRAIL_ALLOWED_HOSTS: list(hostSchema).default([]),
  LIVETRAIL_TRUST_PROXY: int(0, 10).default(0),
  LIVETRAIL_MAX_BATCH: int(1, 1000).default(10),
  LIVETRAIL_MAX_WS_SUBSCRIPTIONS: int(1, 10_000).default(16),
  LIVETRAIL_MAX_CONNECTIONS: int(1, 1_000_000).default(20_000),
  LIVETRAIL_MAX_CONNECTIONS_PER_IP: int(1, 1_000_000).default(2_000),
  LIVETRAIL_HEADERS_TIMEOUT_MS: int(1_000, 600_000).default(10_000),
  LIVETRAIL_BODY_TIMEOUT_MS: int(1_000, 600_000).default(30_000),
  LIVETRAIL_STALLED_READER_MS: int(1_000, 600_000).default(30_000),
  LIVETRAIL_APPEND_RATE: int(1, 1_000_000).default(200),
  LIVETRAIL_APPEND_BURST: int(1_000, 10_000_000).default(2_000),
});

/** Limits that keep one client from stalling the server; every one is an environment variable. */
export interface AbuseLimits {
  /** Most calls in one batched tRPC request (HTTP or WebSocket). @default 10 */
  maxBatchCalls: number;
  /** Most subscriptions open at once on one WebSocket. @default 16 */
  maxWsSubscriptions: number;
  /** Most open TCP connections in all. @default 20000 */
  maxConnections: number;
  /** Most open requests and WebSockets per client IP. @default 2000 */
  maxConnectionsPerIp: number;
  /** A request's headers must arrive within this long. @default 10000 */
  headersTimeoutMs: number;
  /** A request's body must arrive within this long. @default 30000 */
  bodyTimeoutMs: number;
  /** A streaming reader whose socket has not drained for this long is cut. @default 30000 */
  stalledReaderMs: number;
  /** Events per second each token (or, with auth off, each client IP) may append. @default 200 */
  appendRatePerSec: number;
  /** Events a token may append at once before the rate applies. @default 2000 */
  appendBurst: number;
}

/** The server's whole configuration, parsed once from the environment. */
export interface Config {
  host: string;
  port: number;
  /** `sqlite` (default; `file` is accepted as its old name), `memory` (volatile) or `mongo`. */
  store: 'sqlite' | 'memory' | 'mongo';
  /** Connection string of the `mongo` store. */
  mongoUri?: string;
  /** Database of the `mongo` store. */
  mongoDb: string;
  /** Longest one MongoDB operation may take, client- and server-side. @default 10000 */
  mongoTimeoutMs: number;
  /** How long writes wait for a writable primary (long enough to ride out an election). @default 20000 */
  mongoServerSelectionMs: number;
  /** The embedded store's directory (livetrail.db, its WAL and the writer lock). */
  dataDir: string;
  /** Start a damaged embedded database by keeping what is readable (`LIVETRAIL_RECOVER=1`). */
  recover: boolean;
  /** Finished sessions idle for longer than this many days are deleted; unset = kept forever. */
  retentionDays?: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Where the built SPA lives. */
  staticDir: string;
  /** Whether callers need a token: on whenever tokens are configured, unless `LIVETRAIL_AUTH=off`. */
  auth: 'on' | 'off';
  tokens: TokenEntry[];
  /** Browser origins besides the server's own that may use the API and the WebSocket. */
  allowedOrigins: string[];
  /** `Host` values accepted besides the loopback names (`host` matches any port). */
  allowedHosts: string[];
  /** How many proxies in front of the server to believe in `X-Forwarded-For`. @default 0 */
  trustProxyHops: number;
  limits: AbuseLimits;
}

/** Whether `host` names only this machine: 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Config for tests and embedding: defaults plus overrides, no environment involved. */
export function defaultConfig(overrides: Partial<Config> = {}): Config {
  return { ...fromEnv({}), ...overrides };
}

function badConfig(env: Record<string, string | undefined>, name: string, message: string): Error {
  const value = env[name];
  const shown = value === undefined || SECRET_VARS.has(name) ? '' : `=${JSON.stringify(value)}`;
  return new Error(`bad config: ${name}${shown}: ${message}`);
}

/** Parses the environment; throws an Error whose message is one readable line naming the variable. */
export function fromEnv(env: Record<string, string | undefined>): Config {
  const blanksRemoved = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = envSchema.safeParse(blanksRemoved);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badConfig(env, String(issue.path[0]), issue.message);
  }
  const c = parsed.data;
  if (c.LIVETRAIL_STORE === 'mongo' && c.MONGODB_URI === undefined) {
    throw badConfig(
      env,
      'MONGODB_URI',
      'is required when LIVETRAIL_STORE=mongo (e.g. mongodb://127.0.0.1:27017/?replicaSet=rs0)',
    );
  }
  const auth = c.LIVETRAIL_AUTH ?? (c.LIVETRAIL_TOKENS.length > 0 ? 'on' : 'off');
  if (auth === 'on' && c.LIVETRAIL_TOKENS.length === 0) {
    throw badConfig(
      env,
      'LIVETRAIL_TOKENS',
      'is required when LIVETRAIL_AUTH=on (e.g. admin:<16+ characters>)',
    );
  }
  if (!isLoopbackHost(c.HOST)) {
    if (c.LIVETRAIL_AUTH === undefined && auth === 'off') {
      throw badConfig(
        env,
        'LIVETRAIL_TOKENS',
        `is required to listen on ${c.HOST}, which other machines can reach (or set LIVETRAIL_AUTH=off to serve without access control)`,
      );
    }
    if (c.LIVETRAIL_ALLOWED_HOSTS.length === 0) {
      throw badConfig(
        env,
        'LIVETRAIL_ALLOWED_HOSTS',
        `is required to listen on ${c.HOST}: the host names clients use to reach this server (e.g. livetrail.example.com)`,
      );
    }
  }
  return {
    host: c.HOST,
    port: c.PORT,
    store: c.LIVETRAIL_STORE,
    mongoUri: c.MONGODB_URI,
    mongoDb: c.MONGODB_DB,
    mongoTimeoutMs: c.LIVETRAIL_MONGO_TIMEOUT_MS,
    mongoServerSelectionMs: c.LIVETRAIL_MONGO_SERVER_SELECTION_MS,
    dataDir: c.LIVETRAIL_DATA_DIR,
    recover: c.LIVETRAIL_RECOVER === '1',
    ...(c.LIVETRAIL_RETENTION_DAYS !== undefined && { retentionDays: c.LIVETRAIL_RETENTION_DAYS }),
    logLevel: c.LOG_LEVEL,
    staticDir: c.LIVETRAIL_STATIC_DIR,
    auth,
    tokens: c.LIVETRAIL_TOKENS,
    allowedOrigins: c.LIVETRAIL_ALLOWED_ORIGINS.map((o) => new URL(o).origin),
    allowedHosts: c.LIVETRAIL_ALLOWED_HOSTS.map((h) => h.toLowerCase()),
    trustProxyHops: c.LIVETRAIL_TRUST_PROXY,
    limits: {
      maxBatchCalls: c.LIVETRAIL_MAX_BATCH,
      maxWsSubscriptions: c.LIVETRAIL_MAX_WS_SUBSCRIPTIONS,
      maxConnections: c.LIVETRAIL_MAX_CONNECTIONS,
      maxConnectionsPerIp: c.LIVETRAIL_MAX_CONNECTIONS_PER_IP,
      headersTimeoutMs: c.LIVETRAIL_HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: c.LIVETRAIL_BODY_TIMEOUT_MS,
      stalledReaderMs: c.LIVETRAIL_STALLED_READER_MS,
      appendRatePerSec: c.LIVETRAIL_APPEND_RATE,
      appendBurst: c.LIVETRAIL_APPEND_BURST,
    },
  };
}
