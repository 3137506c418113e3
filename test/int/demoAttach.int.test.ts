import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEMO_DATA_DIR, demoServerEnv } from '../../server/demo/demoServerEnv.ts';
import { agentAccessProblem, probeServer } from '../../server/demo/probeServer.ts';
import { TEST_TOKEN_ENTRIES, TEST_TOKENS } from '../support/authFixture.ts';
import { REPO_ROOT } from '../support/repoRoot.ts';
import { startTestServer, type TestServer } from '../support/startTestServer.ts';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function otherServer(answer: (res: import('node:http').ServerResponse) => void): Promise<string> {
  const server: Server = createServer((_req, res) => answer(res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  stops.push(() => new Promise<void>((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('npm run demo finds out who holds its port', () => {
  it('recognises a livetrail server (the demo attaches to it)', async () => {
    const app: TestServer = await startTestServer();
    stops.push(() => app.stop());
    expect(await probeServer(app.url)).toEqual({ kind: 'livetrail', ok: true, store: 'memory' });
  });

  it('tells another server apart, JSON or not (the demo refuses, saying so)', async () => {
    const html = await otherServer((res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hi</h1>'),
    );
    expect(await probeServer(html)).toEqual({ kind: 'other', detail: 'HTTP 200 <h1>hi</h1>' });
    const json = await otherServer((res) => res.writeHead(200).end('{"status":"ok"}'));
    expect(await probeServer(json)).toMatchObject({ kind: 'other' });
  });

  it('says nobody when nothing listens (the demo starts its own server)', async () => {
    const url = await otherServer(() => {});
    await stops.pop()!();
    expect(await probeServer(url)).toEqual({ kind: 'none' });
  });
});

describe('the demo and access control on a running server', () => {
  it('says what token is missing or wrong, and nothing when the token may write', async () => {
    const open = await startTestServer();
    stops.push(() => open.stop());
    expect(await agentAccessProblem(open.url, undefined)).toBeUndefined();
    const app = await startTestServer({ config: { auth: 'on', tokens: TEST_TOKEN_ENTRIES } });
    stops.push(() => app.stop());
    expect(await agentAccessProblem(app.url, undefined)).toBe(
      `the server on ${app.url} has access control: set LIVETRAIL_TOKEN to an agent token`,
    );
    expect(await agentAccessProblem(app.url, TEST_TOKENS.viewer)).toMatch(/\(role: viewer\)$/);
    expect(await agentAccessProblem(app.url, 'not-a-configured-token-01')).toMatch(/\(role: null\)$/);
    expect(await agentAccessProblem(app.url, TEST_TOKENS.agent)).toBeUndefined();
    expect(await agentAccessProblem(app.url, TEST_TOKENS.admin)).toBeUndefined();
  });
});

describe('the server npm run demo starts itself', () => {
  it('keeps its data in its own directory, never npm start’s, whatever LIVETRAIL_DATA_DIR says', () => {
    expect(DEMO_DATA_DIR).toBe('./.livetrail-demo-data');
    const env = demoServerEnv({ LIVETRAIL_DATA_DIR: './.livetrail-data', PORT: '3000' });
    expect(env).toEqual({ LIVETRAIL_DATA_DIR: DEMO_DATA_DIR, PORT: '3000', LOG_LEVEL: 'warn' });
    expect(demoServerEnv({ LOG_LEVEL: 'debug' }).LOG_LEVEL).toBe('debug');
  });
});

describe('npm run demo with a livetrail server already on its port', () => {
  it('runs its agents against that server, prints session URLs, and stops when a person presses Stop', async () => {
    const app = await startTestServer();
    stops.push(() => app.stop());
    const port = new URL(app.url).port;
    const child = spawn(
      'node_modules/.bin/tsx',
      ['server/demo/runDemo.ts', '--once', '--agents', '1', '--speed', '20'],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          HOST: '127.0.0.1',
          PORT: port,
          LIVETRAIL_STORE: 'memory',
          LIVETRAIL_TOKEN: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    stops.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      out += b.toString();
    });
    await vi.waitFor(() => expect(out).toMatch(/start {2}http:\/\/127\.0\.0\.1:\d+\/sessions\/[\w-]+ /), {
      timeout: 30_000,
      interval: 50,
    });
    const id = /\/sessions\/([\w-]+) /.exec(out)![1]!;
    expect(await app.store.getSession(id)).toBeDefined();
    await app.store.append(id, [{ type: 'interrupt' }]);
    expect(await exited).toBe(0);
    expect(out).toContain(`demo: a livetrail server is already running on http://127.0.0.1:${port}`);
    expect(out).not.toContain('starting a livetrail server');
    expect(out).toContain(`http://127.0.0.1:${port}/sessions/${id}  cancelled: stopped by a person`);
    expect((await app.store.getSession(id))!.status).toBe('cancelled');
  }, 60_000);
});
