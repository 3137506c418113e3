import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TEST_TOKENS, TEST_TOKENS_ENV } from '../support/authFixture.ts';
import { REPO_ROOT } from '../support/repoRoot.ts';
import { type ServerProcess, startServerProcess } from '../support/startServerProcess.ts';

/** Runs server/main.ts with `env` until it exits by itself (or 20 s), and reports how. */
function runToExit(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PORT: '0', LIVETRAIL_STORE: 'memory', LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => {
      stdout += d;
    });
    proc.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('server startup and access control', () => {
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
  });

  it('refuses a public bind without tokens in one line naming LIVETRAIL_TOKENS', async () => {
    const out = await runToExit({ HOST: '0.0.0.0', LIVETRAIL_TOKENS: '', LIVETRAIL_AUTH: '' });
    expect(out.code).toBe(2);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(
      /^livetrail: bad config: LIVETRAIL_TOKENS: is required to listen on 0\.0\.0\.0/,
    );
    expect(out.stdout).not.toContain('serving on');
  });

  it('refuses bad tokens without printing them', async () => {
    const out = await runToExit({ LIVETRAIL_TOKENS: 'admin:short-secret' });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/LIVETRAIL_TOKENS: entry 1: a token is 16–512 characters/);
    expect(out.stderr).not.toContain('short-secret');
  });

  it('prints a sign-in url that works, and never logs the tokens', async () => {
    server = await startServerProcess({ env: { LIVETRAIL_TOKENS: TEST_TOKENS_ENV, LOG_LEVEL: 'info' } });
    // The sign-in line follows the `serving on` line the process fixture waits for.
    const line = await vi.waitFor(() => {
      const found = /livetrail: sign in at (\S+)/.exec(server!.output());
      if (!found) throw new Error('no sign-in line yet');
      return found;
    });
    expect(line?.[1]).toBe(`${server.url}/?token=${TEST_TOKENS.admin}`);
    const res = await fetch(line![1]!, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('set-cookie')).toContain('HttpOnly');
    // The one line meant for the person aside, no token appears in the output (the JSON log included).
    const rest = server.output().replace(line![0], '');
    for (const token of Object.values(TEST_TOKENS)) expect(rest).not.toContain(token);
  });

  it('serves the loopback default without tokens and prints no sign-in url', async () => {
    server = await startServerProcess();
    expect(server.output()).not.toContain('sign in at');
    const res = await fetch(`${server.url}/trpc/sessions.list`);
    expect(res.status).toBe(200);
  });
});

describe('the embedded store on startup', () => {
  let server: ServerProcess | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('refuses a second server on the same data directory in one line naming the pid, and leaves no stale lock after SIGKILL', async () => {
    server = await startServerProcess();
    const env = { LIVETRAIL_STORE: 'sqlite', LIVETRAIL_DATA_DIR: server.dataDir };
    const second = await runToExit(env);
    expect(second.code).toBe(1);
    expect(second.stderr.trim().split('\n')).toEqual([
      `livetrail: cannot open the sqlite store: data directory ${server.dataDir} is in use by another livetrail server (pid ${server.pid}): stop it, or set LIVETRAIL_DATA_DIR to another directory`,
    ]);
    expect(second.stdout).not.toContain('serving on');
    // The first server is unharmed.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    await server.stop('SIGKILL');
    await server.restart();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('refuses a damaged database in one line that says what to do', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'livetrail-damaged-'));
    dirs.push(dataDir);
    writeFileSync(join(dataDir, 'livetrail.db'), 'this is not a database, it is a sandwich'.repeat(200));
    const out = await runToExit({ LIVETRAIL_STORE: 'sqlite', LIVETRAIL_DATA_DIR: dataDir });
    expect(out.code).toBe(1);
    const lines = out.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^livetrail: cannot open the sqlite store: .*livetrail\.db is damaged \(.+\): restore a backup \(npm run backup makes one\), or start once with LIVETRAIL_RECOVER=1 to keep what is readable$/,
    );
  });
});
