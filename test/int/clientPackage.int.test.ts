import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packClient } from '../../shared/build/packClient.ts';
import { REPO_ROOT } from '../support/repoRoot.ts';
import { type ServerProcess, startServerProcess } from '../support/startServerProcess.ts';

const run = promisify(execFile);

/** Runs a command in the consumer project; resolves with its output and exit code, never rejects. */
async function inProject(dir: string, file: string, args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(file, args, {
      cwd: dir,
      env: { ...process.env, ...env },
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function tsconfig(dir: string, name: string, options: Record<string, unknown>, files: string[]): string {
  const file = `tsconfig.${name}.json`;
  const compilerOptions = { target: 'ES2022', strict: true, skipLibCheck: false, noEmit: true, ...options };
  writeFileSync(join(dir, file), JSON.stringify({ compilerOptions, files }));
  return file;
}

/**
 * `npm run pack:client` as a stranger gets it: the tarball installed into a fresh project in the
 * temp directory (no node_modules of this repo above it), type-checked and run there.
 */
describe('@livetrail/client from its tarball', () => {
  let dir: string;
  let server: ServerProcess;

  beforeAll(async () => {
    const [tarball, started] = await Promise.all([packClient(), startServerProcess()]);
    server = started;
    dir = mkdtempSync(join(tmpdir(), 'livetrail-consumer-'));
    cpSync(join(REPO_ROOT, 'test/clientPackage/consumer'), dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    const typesNode = JSON.parse(
      readFileSync(join(REPO_ROOT, 'node_modules/@types/node/package.json'), 'utf8'),
    );
    const install = await inProject(dir, 'npm', [
      'install',
      tarball,
      `@types/node@${typesNode.version}`,
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
    ]);
    expect(install.stderr + install.stdout, 'npm install').not.toMatch(/ERR!/);
    expect(install.code).toBe(0);
  }, 240_000);

  afterAll(async () => {
    await server?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('installs the client and its own dependencies only, and cannot see this repo', () => {
    const resolveFrom = createRequire(join(dir, 'index.js'));
    for (const name of ['@trpc/client', '@trpc/server', 'eventsource', 'ws', 'zod'])
      expect(existsSync(join(dir, 'node_modules', name)), name).toBe(true);
    for (const name of ['mongodb', 'vite', 'solid-js', 'pino', 'better-sqlite3', 'prom-client', 'tsx']) {
      expect(existsSync(join(dir, 'node_modules', name)), name).toBe(false);
      expect(() => resolveFrom.resolve(name), name).toThrow();
    }
    const manifest = JSON.parse(
      readFileSync(join(dir, 'node_modules/@livetrail/client/package.json'), 'utf8'),
    );
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['@trpc/client', 'eventsource', 'ws', 'zod']);
    expect(Object.keys(manifest.peerDependencies)).toEqual(['@trpc/server']);
  });

  it('ships a browser entry that imports neither eventsource nor ws', () => {
    const pkg = join(dir, 'node_modules/@livetrail/client');
    const seen = new Set<string>();
    const bare = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/gms)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) visit(join(file, '..', spec));
        else bare.add(spec);
      }
    };
    visit(join(pkg, 'dist/index.js'));
    expect(seen.size).toBeGreaterThan(1);
    expect([...bare].sort()).toEqual(['@trpc/client', '@trpc/server/observable', 'zod']);
  });

  it('type-checks a correct use, in Node (nodenext) and in a browser app (bundler, DOM)', async () => {
    const tsc = join(dir, 'node_modules/.bin/tsc');
    const node = tsconfig(
      dir,
      'node',
      { module: 'nodenext', moduleResolution: 'nodenext', types: ['node'] },
      ['good.ts'],
    );
    const browser = tsconfig(
      dir,
      'browser',
      { module: 'esnext', moduleResolution: 'bundler', lib: ['ES2023', 'DOM'], types: ['node'] },
      ['good.ts'],
    );
    for (const config of [node, browser]) {
      const result = await inProject(dir, tsc, ['-p', config]);
      expect(result.stdout + result.stderr, config).toBe('');
      expect(result.code, config).toBe(0);
    }
  }, 120_000);

  it('refuses a tool_result without callId at compile time, naming callId', async () => {
    const config = tsconfig(
      dir,
      'bad',
      { module: 'nodenext', moduleResolution: 'nodenext', types: ['node'] },
      ['bad.ts'],
    );
    const result = await inProject(dir, join(dir, 'node_modules/.bin/tsc'), ['-p', config]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/^bad\.ts\(\d+,\d+\): error TS\d+/m);
    expect(result.stdout).toMatch(/Property 'callId' is missing/);
  }, 120_000);

  it('follows a session to complete against a live server, and the process ends by itself', async () => {
    const result = await inProject(dir, process.execPath, ['follow.mjs'], { LIVETRAIL_URL: server.url });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { seqs } = JSON.parse(result.stdout.trim()) as { seqs: number[] };
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7]);
  }, 90_000);

  it('runs the livetrail CLI from the package', async () => {
    const bin = join(dir, 'node_modules/.bin/livetrail');
    const env = { LIVETRAIL_URL: server.url };
    const version = await inProject(dir, bin, ['--version'], env);
    expect(version.stdout.trim()).toBe(
      JSON.parse(readFileSync(join(REPO_ROOT, 'shared/package.json'), 'utf8')).version,
    );
    const listed = await inProject(dir, bin, ['sessions', '--json'], env);
    expect(listed.code).toBe(0);
    const sessions = listed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; title: string });
    const finished = sessions.find((s) => s.title === 'from the tarball');
    expect(finished).toBeDefined();
    const tail = await inProject(dir, bin, ['tail', finished!.id, '--json'], env);
    expect(tail.code).toBe(0);
    const events = tail.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; type: string });
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(events.at(-1)?.type).toBe('complete');
  }, 90_000);
});
