import { parseArgs } from 'node:util';
import { sessionIdSchema } from '../session.ts';

/** What a `livetrail` command line asks for. */
export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'sessions'; url: string; json: boolean; limit: number }
  | { kind: 'tail'; url: string; json: boolean; sessionId: string; from: number }
  | { kind: 'send'; url: string; json: boolean; sessionId: string; text: string };

export const USAGE = `livetrail — follow and talk to livetrail sessions

Usage:
  livetrail sessions [--limit N] [--json] [--url U]
  livetrail tail <sessionId> [--from N] [--json] [--url U]
  livetrail send <sessionId> <text…> [--json] [--url U]      (text "-" reads stdin)

  sessions   the most recently active sessions (default 50)
  tail       prints the session's events from seq N (default 1: the whole trail), follows it live
             exactly once through reconnects, and exits after its \`complete\` event
  send       sends a user message to the session's agent

Options:
  --url U    the server (default $LIVETRAIL_URL, else http://127.0.0.1:3000)
  --from N   tail: start at seq N
  --limit N  sessions: how many (1–10000)
  --json     one JSON object per line on stdout (stored events, sessions, the send result)
  -h, --help · -v, --version

Environment: LIVETRAIL_URL, LIVETRAIL_TOKEN (access token), NO_COLOR, FORCE_COLOR.
Connection changes go to stderr. Exit status: 0 done, 1 the server refused (no such session, bad
token, finished session…), 2 bad usage, 3 the server could not be reached.`;

/** A command line that cannot be run, with what is wrong. */
export class UsageError extends Error {}

function positiveInt(raw: string | undefined, name: string, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d{1,16}$/.test(raw) || Number(raw) < 1 || Number(raw) > max)
    throw new UsageError(`--${name} must be a whole number from 1 to ${max}, not '${raw}'`);
  return Number(raw);
}

function serverUrl(raw: string | undefined, env: Record<string, string | undefined>): string {
  // An empty variable counts as unset, as for LIVETRAIL_TOKEN and NO_COLOR.
  const fromEnv = env.LIVETRAIL_URL === '' ? undefined : env.LIVETRAIL_URL;
  const value = raw ?? fromEnv ?? 'http://127.0.0.1:3000';
  const where = raw === undefined && fromEnv !== undefined ? 'LIVETRAIL_URL' : '--url';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${where} must be an http(s) URL such as http://127.0.0.1:3000, not '${value}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`${where} must be an http(s) URL, not '${value}'`);
  return url.href.replace(/\/+$/, '');
}

function sessionId(raw: string | undefined): string {
  if (raw === undefined) throw new UsageError('a session id is needed (livetrail sessions lists them)');
  if (!sessionIdSchema.safeParse(raw).success)
    throw new UsageError(`'${raw}' is not a session id (1–64 of A–Z a–z 0–9 _ -)`);
  return raw;
}

/** Parses `argv` (without node and the script); throws UsageError naming the problem. */
export function parseCliArgs(argv: string[], env: Record<string, string | undefined>): CliCommand {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const [command, ...rest] = positionals;
  if (command === undefined) throw new UsageError('a command is needed: sessions, tail or send');
  const json = values.json ?? false;
  const only = (allowed: string[]) => {
    for (const flag of ['from', 'limit'] as const)
      if (values[flag] !== undefined && !allowed.includes(flag))
        throw new UsageError(`--${flag} is not an option of ${command}`);
  };
  switch (command) {
    case 'sessions':
      only(['limit']);
      if (rest.length > 0) throw new UsageError(`sessions takes no arguments, got '${rest[0]}'`);
      return {
        kind: 'sessions',
        url: serverUrl(values.url, env),
        json,
        limit: positiveInt(values.limit, 'limit', 50, 10_000),
      };
    case 'tail':
      only(['from']);
      if (rest.length > 1) throw new UsageError(`tail takes one session id, got '${rest.join(' ')}'`);
      return {
        kind: 'tail',
        url: serverUrl(values.url, env),
        json,
        sessionId: sessionId(rest[0]),
        from: positiveInt(values.from, 'from', 1, Number.MAX_SAFE_INTEGER),
      };
    case 'send': {
      only([]);
      const text = rest.slice(1).join(' ');
      if (rest.length < 2 || text.trim() === '')
        throw new UsageError('send needs a session id and the text to send');
      return { kind: 'send', url: serverUrl(values.url, env), json, sessionId: sessionId(rest[0]), text };
    }
    default:
      throw new UsageError(`unknown command '${command}': use sessions, tail or send`);
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: 'string' },
      from: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
}
