import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AgentEvent } from '../../shared/agentEvent.ts';
import { bearer, callProcedure, TEST_TOKENS, TEST_TOKENS_ENV } from '../support/authFixture.ts';
import { REPO_ROOT } from '../support/repoRoot.ts';
import { type ServerProcess, startServerProcess } from '../support/startServerProcess.ts';

const SCRIPT = join(REPO_ROOT, 'test/examples/follow_session.py');

/** A running `python3 follow_session.py`, with what it wrote so far. */
interface Follower {
  stdout: string;
  stderr: string;
  /** Resolves with the exit code once the process closed its pipes (rejects if python3 cannot start). */
  exited: Promise<number | null>;
  child: ChildProcess;
}

const followers: Follower[] = [];

/** Starts the example script; LIVETRAIL_URL/LIVETRAIL_TOKEN come only from `env`, never from ours. */
function follow(args: string[], env: Record<string, string> = {}): Follower {
  const { LIVETRAIL_URL: _url, LIVETRAIL_TOKEN: _token, ...inherited } = process.env;
  const child = spawn('python3', [SCRIPT, ...args], {
    env: { ...inherited, PYTHONUNBUFFERED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const f: Follower = { stdout: '', stderr: '', child, exited: Promise.resolve(null) };
  child.stdout!.on('data', (chunk: Buffer) => {
    f.stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    f.stderr += chunk.toString();
  });
  f.exited = new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  // Whoever awaits `exited` still sees a spawn failure (no python3: the test fails); this only keeps
  // it from also surfacing as an unhandled rejection in tests that never reach their await.
  f.exited.catch(() => undefined);
  followers.push(f);
  return f;
}

/** The follower's stdout as parsed JSON lines (every line must be one JSON object). */
function printed(f: Follower): Array<Record<string, unknown> & { seq: number; type: string }> {
  return f.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

/** Waits for the follower to exit within `ms`, with its output in the failure message. */
async function exitCode(f: Follower, ms = 30_000): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    const report = () => `follower still running after ${ms} ms\nstdout:\n${f.stdout}\nstderr:\n${f.stderr}`;
    timer = setTimeout(() => reject(new Error(report())), ms);
  });
  try {
    return await Promise.race([f.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function createSession(url: string, headers: Record<string, string> = {}): Promise<string> {
  const out = await callProcedure(url, 'mutation', 'sessions.create', { title: 'py' }, headers);
  expect(out.status, JSON.stringify(out.body)).toBe(200);
  return (out.body as { result: { data: { id: string } } }).result.data.id;
}

async function append(
  url: string,
  sessionId: string,
  events: AgentEvent[],
  headers: Record<string, string> = {},
): Promise<void> {
  const out = await callProcedure(url, 'mutation', 'events.append', { sessionId, events }, headers);
  expect(out.status, JSON.stringify(out.body)).toBe(200);
}

/** The session's stored events, as the server lists them. */
async function stored(url: string, sessionId: string, headers: Record<string, string> = {}) {
  const out = await callProcedure(url, 'query', 'events.list', { sessionId, limit: 1000 }, headers);
  expect(out.status, JSON.stringify(out.body)).toBe(200);
  return (out.body as { result: { data: { events: unknown[] } } }).result.data.events;
}

/** A port nothing listens on: bound by us, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const hi: AgentEvent = { type: 'assistant_message', text: 'hi' };
const ls: AgentEvent = { type: 'tool_call', callId: 'c1', tool: 'bash', args: { cmd: 'ls' } };
const thought = (n: number): AgentEvent => ({ type: 'thought', text: `t${n}` });
const complete: AgentEvent = { type: 'complete', status: 'succeeded' };

describe('the Python example client (test/examples/follow_session.py)', { timeout: 60_000 }, () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess();
  }, 60_000);
  afterAll(async () => {
    await server?.dispose();
  }, 60_000);
  afterEach(() => {
    for (const f of followers.splice(0)) {
      if (f.child.exitCode === null && f.child.signalCode === null) f.child.kill('SIGKILL');
    }
  });

  it('prints a finished trail once, in order, exactly as stored, and honours --from and resets', async () => {
    const id = await createSession(server.url);
    await append(server.url, id, [hi, ls, thought(3)]);
    await append(server.url, id, [complete]);

    const all = follow([id, '--url', server.url]);
    expect(await exitCode(all), all.stderr).toBe(0);
    const lines = printed(all);
    expect(lines.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(lines.map((e) => e.type)).toEqual(['assistant_message', 'tool_call', 'thought', 'complete']);
    expect(lines).toEqual(await stored(server.url, id));
    expect(lines[0]).toMatchObject({ sessionId: id, text: 'hi' });
    expect(all.stderr).toBe('');

    const after2 = follow([id, '--url', server.url, '--from', '2']);
    expect(await exitCode(after2), after2.stderr).toBe(0);
    expect(printed(after2).map((e) => e.seq)).toEqual([3, 4]);

    // Nothing left after the head of a finished session: the server answers 204, the script exits 0.
    const atHead = follow([id, '--from', '4'], { LIVETRAIL_URL: server.url });
    expect(await exitCode(atHead), atHead.stderr).toBe(0);
    expect(atHead.stdout).toBe('');

    // Beyond the head, the server resets the stream and sends the trail from seq 1: print it all.
    const ahead = follow([id, '--url', server.url, '--from', '50']);
    expect(await exitCode(ahead), ahead.stderr).toBe(0);
    expect(printed(ahead).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(ahead.stderr).toMatch(/reset.*starting over/);
  });

  it('resumes through a server restart with Last-Event-ID, printing every event exactly once', async () => {
    const id = await createSession(server.url);
    await append(server.url, id, [hi, ls]);
    const f = follow([id, '--url', server.url]);
    await vi.waitFor(() => expect(printed(f).map((e) => e.seq)).toEqual([1, 2]), {
      timeout: 20_000,
      interval: 50,
    });

    await server.restart();
    await append(server.url, id, [thought(3), thought(4)]);
    await append(server.url, id, [thought(5), complete]);

    expect(await exitCode(f, 40_000), f.stderr).toBe(0);
    const lines = printed(f);
    expect(lines.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(lines).toEqual(await stored(server.url, id));
    expect(f.stderr).toMatch(/reconnecting/);
    // A resume asks only for what is missing: the server re-sent nothing the script had to drop.
    expect(f.stderr).not.toMatch(/duplicate/);
  });

  it('exits 1 for an unknown session or a bad --from, and 3 when the server cannot be reached', async () => {
    const missing = follow(['nosuchsession', '--url', server.url]);
    expect(await exitCode(missing)).toBe(1);
    expect(missing.stderr).toMatch(/session nosuchsession does not exist/);
    expect(missing.stdout).toBe('');

    const id = await createSession(server.url);
    const badFrom = follow([id, '--url', server.url, '--from', '-1']);
    expect(await exitCode(badFrom)).toBe(1);
    expect(badFrom.stderr).toMatch(/400.*from:/);

    const url = `http://127.0.0.1:${await closedPort()}`;
    const unreachable = follow([id, '--url', url]);
    expect(await exitCode(unreachable)).toBe(3);
    expect(unreachable.stderr).toContain(`cannot reach ${url}`);
    expect(unreachable.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('sends LIVETRAIL_TOKEN as a bearer token when the server has access control', async () => {
    const guarded = await startServerProcess({ env: { LIVETRAIL_TOKENS: TEST_TOKENS_ENV } });
    try {
      const agent = bearer(TEST_TOKENS.agent);
      const id = await createSession(guarded.url, agent);
      await append(guarded.url, id, [hi, complete], agent);

      const viewer = follow([id, '--url', guarded.url], { LIVETRAIL_TOKEN: TEST_TOKENS.viewer });
      expect(await exitCode(viewer), viewer.stderr).toBe(0);
      expect(printed(viewer).map((e) => e.seq)).toEqual([1, 2]);

      const anonymous = follow([id, '--url', guarded.url]);
      expect(await exitCode(anonymous)).toBe(1);
      expect(anonymous.stderr).toMatch(/token problem.*LIVETRAIL_TOKEN.*401/);
      expect(anonymous.stdout).toBe('');

      const wrong = follow([id, '--url', guarded.url], { LIVETRAIL_TOKEN: 'not-a-valid-token-00000' });
      expect(await exitCode(wrong)).toBe(1);
      expect(wrong.stderr).toMatch(/token problem.*401/);
    } finally {
      await guarded.dispose();
    }
  });
});
