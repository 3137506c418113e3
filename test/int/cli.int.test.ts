import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';
import type { Session } from '../../shared/session.ts';
import { bearer, callProcedure, TEST_TOKENS, TEST_TOKENS_ENV } from '../support/authFixture.ts';
import { REPO_ROOT } from '../support/repoRoot.ts';
import { type ServerProcess, startServerProcess } from '../support/startServerProcess.ts';

const execFileAsync = promisify(execFile);
const TEST_MS = 60_000;
const CLI_MS = 45_000;

// biome-ignore lint/suspicious/noControlCharactersInRegex: the paint's own SGR sequences
const SGR = /\u001b\[\d+m/g;
const ESC = '\u001b';

/** What a finished CLI run left behind. */
interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A CLI run in progress, read while it runs. */
interface CliRun {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  done: Promise<CliResult>;
}

const children = new Set<ChildProcessWithoutNullStreams>();

afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});

/** The environment a CLI run starts from: none of the variables the CLI reads leak in from the runner. */
function baseEnv(url: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  for (const k of ['LIVETRAIL_URL', 'LIVETRAIL_TOKEN', 'FORCE_COLOR', 'NO_COLOR']) delete env[k];
  env.LIVETRAIL_URL = url;
  return env;
}

/** Starts `livetrail <args>` as a child process, stdin/stdout/stderr piped (so not a TTY). */
function startCli(
  url: string,
  args: string[],
  opts: { env?: Record<string, string | undefined>; input?: string } = {},
): CliRun {
  const env = baseEnv(url);
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'shared/cli/livetrail.ts', ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  if (opts.input !== undefined) child.stdin.end(opts.input);
  else child.stdin.end();
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`livetrail ${args.join(' ')} did not exit within ${CLI_MS} ms\n${stdout}\n${stderr}`));
    }, CLI_MS);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

function runCli(
  url: string,
  args: string[],
  opts: { env?: Record<string, string | undefined>; input?: string } = {},
): Promise<CliResult> {
  return startCli(url, args, opts).done;
}

/** stdout of a --json run as its objects, one per line. */
function jsonLines<T = unknown>(stdout: string): T[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

async function waitUntil(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A procedure's result, failing the test with the server's answer when it was refused. */
async function call<T>(
  url: string,
  kind: 'query' | 'mutation',
  path: string,
  input: unknown,
  token?: string,
): Promise<T> {
  const out = await callProcedure(url, kind, path, input, bearer(token));
  if (out.status !== 200) throw new Error(`${path} answered ${out.status}: ${JSON.stringify(out.body)}`);
  return (out.body as { result: { data: T } }).result.data;
}

async function createSession(url: string, title: string, token?: string): Promise<string> {
  return (await call<Session>(url, 'mutation', 'sessions.create', { title }, token)).id;
}

async function append(
  url: string,
  sessionId: string,
  events: AgentEvent[],
  token?: string,
): Promise<number[]> {
  return (await call<{ seqs: number[] }>(url, 'mutation', 'events.append', { sessionId, events }, token))
    .seqs;
}

async function complete(url: string, sessionId: string, token?: string): Promise<void> {
  await call(
    url,
    'mutation',
    'sessions.complete',
    { sessionId, status: 'succeeded', summary: 'all done' },
    token,
  );
}

async function listEvents(url: string, sessionId: string, token?: string): Promise<StoredEvent[]> {
  return (
    await call<{ events: StoredEvent[] }>(url, 'query', 'events.list', { sessionId, limit: 1000 }, token)
  ).events;
}

const TRAIL: AgentEvent[] = [
  { type: 'user_message', text: 'list the files' },
  { type: 'state', agentState: 'thinking', llmCallsInFlight: 1, toolCallsInFlight: 0 },
  { type: 'thought', text: 'ls will do\nthen report' },
  { type: 'tool_call', callId: 'call-1', tool: 'bash', args: { cmd: 'ls -la' } },
  { type: 'tool_result', callId: 'call-1', tool: 'bash', ok: true, output: { files: ['a.txt', 'b.txt'] } },
  { type: 'cost', usd: 0.0125, inputTokens: 1200, outputTokens: 80 },
  { type: 'assistant_message', text: 'two files \u001b]0;pwned\u0007 \u009b2J done' },
  { type: 'error', message: 'a warning \u001b[31m in red' },
];

/** A session with TRAIL and a `complete`; resolves its id and how many events it has. */
async function finishedSession(url: string, token?: string): Promise<{ id: string; count: number }> {
  const id = await createSession(url, 'finished trail', token);
  await append(url, id, TRAIL, token);
  await complete(url, id, token);
  return { id, count: TRAIL.length + 1 };
}

/** A port nobody listens on: the OS hands out a free one, which is closed at once. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  return address.port;
}

describe('livetrail CLI (auth off)', () => {
  let server: ServerProcess;
  let url: string;

  beforeAll(async () => {
    server = await startServerProcess();
    url = server.url;
  }, TEST_MS);

  afterAll(async () => {
    await server?.dispose();
  }, TEST_MS);

  it(
    'sessions and sessions --json list a created session',
    async () => {
      const id = await createSession(url, 'listed by the CLI');
      await append(url, id, [{ type: 'thought', text: 'hello' }]);

      const human = await runCli(url, ['sessions']);
      expect(human.code, human.stderr).toBe(0);
      const line = human.stdout.split('\n').find((l) => l.startsWith(id));
      expect(line, human.stdout).toBeDefined();
      expect(line).toContain('listed by the CLI');
      expect(line).toContain('running');
      expect(line).toContain('1 events');

      const json = await runCli(url, ['sessions', '--json']);
      expect(json.code, json.stderr).toBe(0);
      expect(json.stdout.endsWith('\n')).toBe(true);
      const sessions = jsonLines<Session>(json.stdout);
      expect(sessions.length).toBeGreaterThanOrEqual(1);
      expect(sessions.filter((s) => s.id === id)).toHaveLength(1);
      expect(sessions.find((s) => s.id === id)).toMatchObject({ title: 'listed by the CLI', lastSeq: 1 });

      const limited = await runCli(url, ['sessions', '--json', '--limit', '1']);
      expect(limited.code).toBe(0);
      expect(jsonLines(limited.stdout)).toHaveLength(1);
    },
    TEST_MS,
  );

  it(
    'tail --json on a finished session prints every stored event once, in order, and exits 0',
    async () => {
      const { id, count } = await finishedSession(url);
      const result = await runCli(url, ['tail', id, '--json']);
      expect(result.code, result.stderr).toBe(0);
      const printed = jsonLines<StoredEvent>(result.stdout);
      expect(printed.map((e) => e.seq)).toEqual(range(1, count));
      expect(printed).toEqual(await listEvents(url, id));
      // What went in, plus what the store adds.
      const sent = [...TRAIL, { type: 'complete', status: 'succeeded', summary: 'all done' }];
      expect(printed.map(({ sessionId, seq, ts, ...event }) => event)).toEqual(sent);
      for (const e of printed) {
        expect(e.sessionId).toBe(id);
        expect(Number.isNaN(Date.parse(e.ts))).toBe(false);
      }
      // No raw C1 byte on stdout even in --json (JSON.stringify leaves \u009b raw).
      expect(result.stdout).not.toMatch(/[\u007f-\u009f\u2028\u2029]/);
    },
    TEST_MS,
  );

  it(
    'tail --from 3 prints seq 3 on only; --from past the head of a finished session prints nothing',
    async () => {
      const { id, count } = await finishedSession(url);
      const stored = await listEvents(url, id);

      const from3 = await runCli(url, ['tail', id, '--json', '--from', '3']);
      expect(from3.code, from3.stderr).toBe(0);
      expect(jsonLines<StoredEvent>(from3.stdout).map((e) => e.seq)).toEqual(range(3, count));
      expect(jsonLines(from3.stdout)).toEqual(stored.slice(2));

      const fromLast = await runCli(url, ['tail', id, '--json', '--from', String(count)]);
      expect(fromLast.code, fromLast.stderr).toBe(0);
      expect(jsonLines<StoredEvent>(fromLast.stdout).map((e) => e.seq)).toEqual([count]);

      for (const from of [count + 1, 1000]) {
        const past = await runCli(url, ['tail', id, '--json', '--from', String(from)]);
        expect(past.code, past.stderr).toBe(0);
        expect(past.stdout).toBe('');
      }
    },
    TEST_MS,
  );

  it(
    'human output: event kinds and tool names, and no raw ESC from the agent text',
    async () => {
      const { id, count } = await finishedSession(url);
      const result = await runCli(url, ['tail', id]);
      expect(result.code, result.stderr).toBe(0);
      const out = result.stdout;
      expect(out).toContain('tool_call');
      expect(out).toContain('tool_result');
      expect(out).toContain('bash');
      expect(out).toContain('call-1');
      expect(out).toContain('$0.0125');
      expect(out).toContain('complete    succeeded — all done');
      expect(out).toContain('\\u001b]0;pwned\\u0007');
      expect(out).toContain('\\u009b2J');
      expect(out).not.toContain(ESC);
      expect(out).not.toContain('\u0007');
      expect(out).not.toContain('\u009b');
      expect(result.stderr).not.toContain(ESC);
      // One head line per event, plus the thought's continuation line.
      expect(out.split('\n').filter((l) => /^#\d+ /.test(l))).toHaveLength(count);
    },
    TEST_MS,
  );

  it(
    'FORCE_COLOR=1 colours the output (agent text still inert); NO_COLOR=1 does not',
    async () => {
      const { id } = await finishedSession(url);

      const forced = await runCli(url, ['tail', id], { env: { FORCE_COLOR: '1' } });
      expect(forced.code, forced.stderr).toBe(0);
      expect(forced.stdout).toMatch(SGR);
      expect(forced.stdout.replace(SGR, '')).not.toContain(ESC);
      expect(forced.stdout.replace(SGR, '')).toContain('\\u001b]0;pwned\\u0007');
      expect(forced.stderr).toMatch(SGR);

      const noColour = await runCli(url, ['tail', id], { env: { NO_COLOR: '1' } });
      expect(noColour.code, noColour.stderr).toBe(0);
      expect(noColour.stdout).toContain('tool_call');
      expect(noColour.stdout).not.toContain(ESC);
      expect(noColour.stderr).not.toContain(ESC);
      // Without colour, the same text as the coloured run with its SGR codes taken out.
      expect(noColour.stdout).toBe(forced.stdout.replace(SGR, ''));

      const forcedOff = await runCli(url, ['tail', id], { env: { FORCE_COLOR: '0' } });
      expect(forcedOff.code).toBe(0);
      expect(forcedOff.stdout).not.toContain(ESC);
    },
    TEST_MS,
  );

  it(
    'send <id> hello stores a user_message at the seq it prints; send - reads stdin',
    async () => {
      const id = await createSession(url, 'talk to me');
      await append(url, id, [
        { type: 'thought', text: 'waiting' },
        { type: 'state', agentState: 'waiting_for_user', llmCallsInFlight: 0, toolCallsInFlight: 0 },
      ]);

      const hello = await runCli(url, ['send', id, 'hello']);
      expect(hello.code, hello.stderr).toBe(0);
      expect(hello.stdout).toBe('sent as #3\n');

      const words = await runCli(url, ['send', id, 'two', 'words', '--json']);
      expect(words.code, words.stderr).toBe(0);
      expect(JSON.parse(words.stdout)).toEqual({ seq: 4, duplicate: false });

      const piped = await runCli(url, ['send', id, '-'], { input: 'from stdin\nsecond line\n' });
      expect(piped.code, piped.stderr).toBe(0);
      expect(piped.stdout).toBe('sent as #5\n');

      const events = await listEvents(url, id);
      expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(events[2]).toMatchObject({ type: 'user_message', text: 'hello', seq: 3 });
      expect(events[3]).toMatchObject({ type: 'user_message', text: 'two words', seq: 4 });
      // The server trims what it stores.
      expect(events[4]).toMatchObject({ type: 'user_message', text: 'from stdin\nsecond line', seq: 5 });

      const empty = await runCli(url, ['send', id, '-'], { input: '  \n' });
      expect(empty.code).toBe(2);
      expect(empty.stderr).toMatch(/nothing to send/);
      expect((await listEvents(url, id)).length).toBe(5);
    },
    TEST_MS,
  );

  it(
    "send to a finished session exits 1 with the server's message",
    async () => {
      const { id, count } = await finishedSession(url);
      const result = await runCli(url, ['send', id, 'too late']);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`session ${id} is already complete (succeeded)`);
      expect((await listEvents(url, id)).length).toBe(count);
    },
    TEST_MS,
  );

  it(
    'an unknown session exits 1 saying there is no such session',
    async () => {
      const tail = await runCli(url, ['tail', 'nosuch']);
      expect(tail.code).toBe(1);
      expect(tail.stdout).toBe('');
      expect(tail.stderr).toMatch(/no session nosuch/);

      const send = await runCli(url, ['send', 'nosuch', 'hi']);
      expect(send.code).toBe(1);
      expect(send.stderr).toMatch(/no session nosuch/);
    },
    TEST_MS,
  );

  it(
    'a server nobody listens on exits 3 with "cannot reach"',
    async () => {
      const dead = `http://127.0.0.1:${await deadPort()}`;
      for (const args of [['sessions'], ['tail', 'abc'], ['send', 'abc', 'hi']]) {
        const result = await runCli(dead, args);
        expect(result.code, args.join(' ')).toBe(3);
        expect(result.stdout).toBe('');
        expect(result.stderr).toContain(`cannot reach ${dead}`);
        expect(result.stderr).toContain('ECONNREFUSED');
      }
      // A port fetch refuses to dial: its own reason, not "could not reach the server" twice.
      const badPort = await runCli('http://127.0.0.1:1', ['sessions']);
      expect(badPort.code).toBe(3);
      expect(badPort.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:1 \(bad port\)/);
    },
    TEST_MS,
  );

  it(
    'a usage error exits 2 and names the problem',
    async () => {
      const noId = await runCli(url, ['tail']);
      expect(noId.code).toBe(2);
      expect(noId.stdout).toBe('');
      expect(noId.stderr).toMatch(/a session id is needed/);
      expect(noId.stderr).toMatch(/--help/);

      const wrongFlag = await runCli(url, ['sessions', '--from', '3']);
      expect(wrongFlag.code).toBe(2);
      expect(wrongFlag.stderr).toMatch(/--from is not an option of sessions/);

      const badEnvUrl = await runCli('ftp://127.0.0.1:1', ['sessions']);
      expect(badEnvUrl.code).toBe(2);
      expect(badEnvUrl.stderr).toMatch(/LIVETRAIL_URL must be an http\(s\) URL/);
    },
    TEST_MS,
  );
});

describe('livetrail with a server of its own (restarted, restored, on a terminal)', () => {
  let server: ServerProcess | undefined;

  afterEach(async () => {
    await server?.dispose();
    server = undefined;
  }, TEST_MS);

  it(
    'follows live, keeps going after the restart, prints seqs 1..N exactly once and exits 0 on complete',
    async () => {
      server = await startServerProcess();
      const url = server.url;
      const id = await createSession(url, 'restarted');
      await append(url, id, TRAIL.slice(0, 3));

      const run = startCli(url, ['tail', id, '--json']);
      await waitUntil('the first 3 events on stdout', () => jsonLines(run.stdout()).length >= 3);
      await waitUntil('connected on stderr', () => run.stderr().includes('connected'));
      expect(jsonLines<StoredEvent>(run.stdout()).map((e) => e.seq)).toEqual([1, 2, 3]);

      await server.restart();
      expect(server.url).toBe(url);
      await append(url, id, TRAIL.slice(3, 6));
      await append(url, id, TRAIL.slice(6));
      await complete(url, id);
      const count = TRAIL.length + 1;

      const result = await run.done;
      expect(result.code, result.stderr).toBe(0);
      const printed = jsonLines<StoredEvent>(result.stdout);
      expect(printed.map((e) => e.seq)).toEqual(range(1, count));
      expect(printed).toEqual(await listEvents(url, id));
      expect(result.stderr).toMatch(/connection lost.*reconnecting in [\d.]+ s \(attempt \d+\)/);
      // Connected before the restart, and again after it.
      expect(result.stderr.match(/livetrail: connected \((SSE|WebSocket)\)/g)?.length).toBeGreaterThanOrEqual(
        2,
      );
    },
    TEST_MS,
  );

  it(
    'stops with exit 1 instead of printing seqs twice when the store comes back older (a restored backup)',
    async () => {
      server = await startServerProcess();
      const url = server.url;
      const id = await createSession(url, 'restored');
      await append(url, id, TRAIL.slice(0, 3));
      await server.stop();
      const snapshot = await mkdtemp(join(tmpdir(), 'livetrail-cli-snapshot-'));
      await cp(server.dataDir, snapshot, { recursive: true });
      await server.restart();
      await append(url, id, TRAIL.slice(3, 6));

      const run = startCli(url, ['tail', id, '--json']);
      await waitUntil('6 events on stdout', () => jsonLines(run.stdout()).length >= 6);
      await server.stop();
      await rm(server.dataDir, { recursive: true, force: true });
      await cp(snapshot, server.dataDir, { recursive: true });
      await rm(snapshot, { recursive: true, force: true });
      await server.restart();

      const result = await run.done;
      expect(result.code, result.stderr).toBe(1);
      expect(jsonLines<StoredEvent>(result.stdout).map((e) => e.seq)).toEqual(range(1, 6));
      expect(result.stderr).toMatch(/could not resume \(ahead_of_head\): its trail changed/);
    },
    TEST_MS,
  );

  it(
    'colours what goes to a real TTY (util-linux script gives it one), and nothing through a pipe',
    async () => {
      server = await startServerProcess();
      const { id } = await finishedSession(server.url);
      const cli = ['node', '--import', 'tsx', 'shared/cli/livetrail.ts', 'tail', id].join(' ');
      const { stdout } = await execFileAsync('script', ['-qec', cli, '/dev/null'], {
        cwd: REPO_ROOT,
        env: baseEnv(server.url),
        timeout: CLI_MS,
      });
      expect(stdout).toMatch(SGR);
      expect(stdout.replace(SGR, '')).toMatch(/#1 \d\d:\d\d:\d\d /);
      const piped = await runCli(server.url, ['tail', id]);
      expect(piped.stdout).not.toContain(ESC);
    },
    TEST_MS,
  );
});

describe('livetrail CLI with access control', () => {
  let server: ServerProcess;
  let url: string;

  beforeAll(async () => {
    server = await startServerProcess({ env: { LIVETRAIL_TOKENS: TEST_TOKENS_ENV } });
    url = server.url;
  }, TEST_MS);

  afterAll(async () => {
    await server?.dispose();
  }, TEST_MS);

  it(
    'sessions without LIVETRAIL_TOKEN exits 1 and says to set it; a wrong one is named too',
    async () => {
      const none = await runCli(url, ['sessions']);
      expect(none.code).toBe(1);
      expect(none.stdout).toBe('');
      expect(none.stderr).toMatch(/set LIVETRAIL_TOKEN/);

      const empty = await runCli(url, ['sessions'], { env: { LIVETRAIL_TOKEN: '' } });
      expect(empty.code).toBe(1);
      expect(empty.stderr).toMatch(/set LIVETRAIL_TOKEN/);

      const wrong = await runCli(url, ['sessions'], {
        env: { LIVETRAIL_TOKEN: 'not-a-configured-token-01' },
      });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/LIVETRAIL_TOKEN is not accepted/);
    },
    TEST_MS,
  );

  it(
    'the viewer token lists sessions, tails them and sends messages',
    async () => {
      const { id, count } = await finishedSession(url, TEST_TOKENS.agent);
      const viewer = { LIVETRAIL_TOKEN: TEST_TOKENS.viewer };

      const list = await runCli(url, ['sessions', '--json'], { env: viewer });
      expect(list.code, list.stderr).toBe(0);
      expect(jsonLines<Session>(list.stdout).map((s) => s.id)).toContain(id);

      const tail = await runCli(url, ['tail', id, '--json'], { env: viewer });
      expect(tail.code, tail.stderr).toBe(0);
      expect(jsonLines<StoredEvent>(tail.stdout).map((e) => e.seq)).toEqual(range(1, count));

      const running = await createSession(url, 'ask me', TEST_TOKENS.agent);
      const send = await runCli(url, ['send', running, 'hi agent'], { env: viewer });
      expect(send.code, send.stderr).toBe(0);
      expect(send.stdout).toBe('sent as #1\n');
      expect(await listEvents(url, running, TEST_TOKENS.viewer)).toMatchObject([
        { type: 'user_message', text: 'hi agent', seq: 1 },
      ]);
    },
    TEST_MS,
  );

  it(
    'send with the agent token exits 1 and says what is forbidden',
    async () => {
      const id = await createSession(url, 'agents do not talk to themselves', TEST_TOKENS.agent);
      const result = await runCli(url, ['send', id, 'hello me'], {
        env: { LIVETRAIL_TOKEN: TEST_TOKENS.agent },
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/this needs viewer or admin; the token's role is agent/);
      expect(await listEvents(url, id, TEST_TOKENS.agent)).toEqual([]);
    },
    TEST_MS,
  );
});
