import { parseArgs } from 'node:util';

/** The demo agents' command-line options. */
export interface DemoFlags {
  /** The livetrail server to talk to. @default 'http://127.0.0.1:3000' */
  url: string;
  /** How many simulated agents run side by side. @default 3 */
  agents: number;
  /** Pace multiplier: 2 plays twice as fast, 20 suits tests. @default 1 */
  speed: number;
  /** Each agent runs one session, then exits. @default false */
  once: boolean;
  /** Sessions each agent creates before it stops; 0 means no limit. @default 10 */
  maxSessions: number;
  /** `--help` was given: print DEMO_FLAGS_USAGE and exit. */
  help: boolean;
}

/** One line per flag, for `--help` and error messages. */
export const DEMO_FLAGS_USAGE = `options:
  --url URL           livetrail server (default http://127.0.0.1:3000)
  --agents N          simulated agents, 1–50 (default 3)
  --speed X           pace multiplier, 0.1–1000 (default 1; 10 is brisk, 20 for tests)
  --once              each agent runs one session, then exits
  --max-sessions N    sessions per agent before it stops, 0 = no limit (default 10)`;

function integer(flag: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    throw new Error(`--${flag} must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return n;
}

/** Parses and validates the demo agents' flags; throws an Error whose message is one line naming the flag. */
export function parseDemoFlags(argv: string[]): DemoFlags {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (err) {
    // node:util's messages are long and mention internals; the first sentence is the useful part.
    throw new Error(`${(err as Error).message.split('. ')[0]} (try --help)`);
  }
  const url = values.url ?? 'http://127.0.0.1:3000';
  let parsedUrl: URL | undefined;
  try {
    parsedUrl = new URL(url);
  } catch {}
  if (!parsedUrl || !/^https?:$/.test(parsedUrl.protocol)) {
    throw new Error(
      `--url must be an http(s) URL such as http://127.0.0.1:3000 (got ${JSON.stringify(url)})`,
    );
  }

  const rawSpeed = values.speed ?? '1';
  const speed = Number(rawSpeed);
  if (rawSpeed.trim() === '' || !Number.isFinite(speed) || speed < 0.1 || speed > 1000) {
    throw new Error(`--speed must be a number from 0.1 to 1000 (got ${JSON.stringify(rawSpeed)})`);
  }

  return {
    url,
    agents: integer('agents', values.agents ?? '3', 1, 50),
    speed,
    once: values.once ?? false,
    maxSessions: integer('max-sessions', values['max-sessions'] ?? '10', 0, 1_000_000),
    help: values.help ?? false,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      url: { type: 'string' },
      agents: { type: 'string' },
      speed: { type: 'string' },
      once: { type: 'boolean' },
      'max-sessions': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
