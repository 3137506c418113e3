import type { ConnectionState } from '../connection/connectionState.ts';
import { describeError, networkErrorCode } from '../describeError.ts';
import { LIMITS } from '../limits.ts';
import { createLivetrailClient, followSession } from '../node.ts';
import type { Session } from '../session.ts';
import { createPaint, eventJsonLine, formatEvent, formatSession, inert, type Paint } from './formatEvent.ts';
import { type CliCommand, parseCliArgs, USAGE, UsageError } from './parseCliArgs.ts';

/** Where the CLI reads and writes: the process's own streams, or a test's. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  stdin: AsyncIterable<string | Uint8Array>;
  env: Record<string, string | undefined>;
  version: string;
}

/** Exit statuses (see USAGE). */
export const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3 } as const;

/** NO_COLOR turns colour off, FORCE_COLOR on; otherwise a terminal gets colour and a pipe does not. */
function wantsColour(stream: { isTTY?: boolean }, env: CliIo['env']): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '')
    return !['0', 'false'].includes(env.FORCE_COLOR);
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

interface Run {
  io: CliIo;
  out: Paint;
  err: Paint;
  token: string | undefined;
  say(line: string): void;
}

/** The message of the deepest cause (fetch's own reason, e.g. `bad port`), if it says more. */
function innermostMessage(error: unknown): string | undefined {
  let found: string | undefined;
  for (let e = (error as { cause?: unknown } | undefined)?.cause; e; e = (e as { cause?: unknown }).cause) {
    const m = (e as { message?: unknown }).message;
    if (typeof m === 'string' && m !== '') found = inert(m.split('\n')[0]!);
  }
  return found;
}

/** Why a call failed, told to a person, and the exit status that goes with it. */
function failure(run: Run, url: string, error: unknown): number {
  const data = (error as { data?: { code?: unknown; httpStatus?: unknown } } | undefined)?.data;
  const code = typeof data?.code === 'string' ? data.code : undefined;
  const message = inert(describeError(error));
  if (code === 'UNAUTHORIZED') {
    const hint = run.token === undefined ? 'set LIVETRAIL_TOKEN' : 'LIVETRAIL_TOKEN is not accepted';
    run.say(`${url} needs a valid token: ${hint} (${message})`);
  } else if (code !== undefined) run.say(message);
  else {
    const reason = networkErrorCode(error) ?? innermostMessage(error) ?? message;
    run.say(`cannot reach ${url} (${reason}): is the server running? (--url or LIVETRAIL_URL)`);
    return EXIT.unreachable;
  }
  return EXIT.refused;
}

/** A line for stderr when the connection changes in a way a person should know; else undefined. */
function describeState(s: ConnectionState, p: Paint): string | undefined {
  switch (s.status) {
    case 'connected':
      return p.green(`connected (${s.transport === 'ws' ? 'WebSocket' : 'SSE'})`);
    case 'reconnecting': {
      const seconds = Math.max(0, (s.retryAt - Date.now()) / 1000).toFixed(1);
      const why = s.lastError ? ` (${inert(s.lastError)})` : '';
      return p.yellow(`connection lost${why}; reconnecting in ${seconds} s (attempt ${s.attempt})`);
    }
    case 'offline':
      return p.yellow('offline: waiting for the network');
    case 'failed':
      return p.red(`cannot follow: ${inert(s.error)}`);
    default:
      return undefined;
  }
}

async function listSessions(run: Run, cmd: Extract<CliCommand, { kind: 'sessions' }>): Promise<number> {
  const { api, close } = createLivetrailClient({ url: cmd.url, token: run.token });
  const sessions: Session[] = [];
  try {
    let cursor: string | undefined;
    while (sessions.length < cmd.limit) {
      const limit = Math.min(LIMITS.sessionPage, cmd.limit - sessions.length);
      const page = await api.sessions.list.query({ limit, ...(cursor !== undefined && { cursor }) });
      sessions.push(...page.sessions);
      if (page.nextCursor === undefined) break;
      cursor = page.nextCursor;
    }
  } catch (error) {
    return failure(run, cmd.url, error);
  } finally {
    close();
  }
  for (const s of sessions)
    run.io.stdout.write(`${cmd.json ? eventJsonLine(s) : formatSession(s, run.out)}\n`);
  if (sessions.length === 0 && !cmd.json) run.say('no sessions yet');
  return EXIT.ok;
}

/** Reads the session once: tells "no such session" and "cannot reach" apart before following. */
async function readSession(run: Run, url: string, sessionId: string): Promise<Session | number> {
  const { api, close } = createLivetrailClient({ url, token: run.token });
  try {
    return await api.sessions.get.query({ sessionId });
  } catch (error) {
    return failure(run, url, error);
  } finally {
    close();
  }
}

async function tail(run: Run, cmd: Extract<CliCommand, { kind: 'tail' }>): Promise<number> {
  const session = await readSession(run, cmd.url, cmd.sessionId);
  if (typeof session === 'number') return session;
  return new Promise((resolve) => {
    let lastLine: string | undefined;
    let printed = 0;
    const manager = followSession({
      url: cmd.url,
      token: run.token,
      sessionId: cmd.sessionId,
      // Never ahead of the head: the server would answer that with a reset and the whole trail.
      afterSeq: Math.min(cmd.from - 1, session.lastSeq),
      onEvent(event) {
        if (event.seq < cmd.from) return;
        printed++;
        run.io.stdout.write(`${cmd.json ? eventJsonLine(event) : formatEvent(event, run.out)}\n`);
      },
      onReset(reason) {
        if (printed === 0) return;
        // The server's trail is no longer the one printed (a recovered store): printing it again
        // would repeat seqs, or show other events under seqs already shown. Stop and say so.
        run.say(
          run.err.red(
            `the server could not resume (${reason}): its trail changed since these events were printed; run tail again`,
          ),
        );
        manager.close();
        resolve(EXIT.refused);
      },
      onEnd() {
        manager.close();
        resolve(EXIT.ok);
      },
      onState(state) {
        const line = describeState(state, run.err);
        if (line !== undefined && line !== lastLine) run.say(line);
        lastLine = line ?? lastLine;
        if (state.status === 'failed') {
          manager.close();
          resolve(EXIT.refused);
        }
      },
    });
  });
}

async function readStdin(stdin: CliIo['stdin']): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

async function send(run: Run, cmd: Extract<CliCommand, { kind: 'send' }>): Promise<number> {
  const text = cmd.text === '-' ? await readStdin(run.io.stdin) : cmd.text;
  if (text.trim() === '') {
    run.say('nothing to send: stdin was empty');
    return EXIT.usage;
  }
  const session = await readSession(run, cmd.url, cmd.sessionId);
  if (typeof session === 'number') return session;
  const { api, close } = createLivetrailClient({ url: cmd.url, token: run.token });
  try {
    // Keyed and retried through network errors by the client, so a lost answer never sends twice.
    const result = await api.sessions.sendMessage.mutate({ sessionId: cmd.sessionId, text });
    run.io.stdout.write(cmd.json ? `${JSON.stringify(result)}\n` : `sent as #${result.seq}\n`);
    return EXIT.ok;
  } catch (error) {
    return failure(run, cmd.url, error);
  } finally {
    close();
  }
}

/** Runs one `livetrail` command line; resolves with the exit status. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const run: Run = {
    io,
    out: createPaint(wantsColour(io.stdout, io.env)),
    err: createPaint(wantsColour(io.stderr, io.env)),
    token: io.env.LIVETRAIL_TOKEN === '' ? undefined : io.env.LIVETRAIL_TOKEN,
    say: (line) => io.stderr.write(`livetrail: ${line}\n`),
  };
  let cmd: CliCommand;
  try {
    cmd = parseCliArgs(argv, io.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    run.say(`${error.message}\n(livetrail --help shows how to use it)`);
    return EXIT.usage;
  }
  switch (cmd.kind) {
    case 'help':
      io.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    case 'version':
      io.stdout.write(`${io.version}\n`);
      return EXIT.ok;
    case 'sessions':
      return listSessions(run, cmd);
    case 'tail':
      return tail(run, cmd);
    case 'send':
      return send(run, cmd);
  }
}
