/**
 * What @livetrail/client costs a user, and how fast its CLI follows a trail. Plain numbers, never
 * pass/fail.
 *
 * Footprint: `npm run pack:client`, then the tarball installed into a fresh project in the temp
 * directory (`npm install <tgz> --prefer-offline`): tarball size, packages and disk installed,
 * install time — next to the app's own production dependency tree (`npm ls --omit=dev`), which is
 * what installing the app to get at its client pulled in before.
 *
 * Following: a server (server/main.ts, own process, SQLite) holds one finished session of N events
 * (default 10 000). Each client prints the whole trail to /dev/null and exits after `complete`;
 * best and median of R runs (default 3), wall time of the whole process:
 *   curl (plain SSE)             the baseline: `curl -sN …/events/stream?from=0`
 *   livetrail tail --json        the CLI from the installed tarball (tRPC SSE, followSession)
 *   livetrail tail               the same, formatted for a person
 *   python3 follow_session.py    the standard-library example (plain SSE)
 *
 * Run: `npm run bench:client [-- --events 10000] [--runs 3]`. About 1 min.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs, promisify } from 'node:util';
import { type AgentEvent, createLivetrailClient } from '@livetrail/client';
import { packClient } from '../../shared/build/packClient.ts';
import { REPO_ROOT } from '../support/repoRoot.ts';
import { startServerProcess } from '../support/startServerProcess.ts';
import { formatTable } from './append/formatTable.ts';
import { machineLine } from './append/machineLine.ts';

const run = promisify(execFile);
const { values } = parseArgs({
  options: { events: { type: 'string', default: '10000' }, runs: { type: 'string', default: '3' } },
});
const EVENTS = Number(values.events);
const RUNS = Number(values.runs);

/** Disk used by `paths` (kB, `du -sk`), counting a path inside another only once. */
async function diskKb(paths: string[]): Promise<number> {
  const sorted = [...new Set(paths)].sort();
  const tops = sorted.filter((p, i) => !sorted.slice(0, i).some((q) => p.startsWith(`${q}/`)));
  let kb = 0;
  for (let i = 0; i < tops.length; i += 200) {
    const { stdout } = await run('du', ['-sk', ...tops.slice(i, i + 200)]);
    for (const line of stdout.trim().split('\n')) kb += Number(line.split('\t')[0]);
  }
  return kb;
}

/** The installed packages of a project (`npm ls --all --parseable`, without the project itself). */
async function installedPackages(dir: string, extra: string[] = []): Promise<string[]> {
  const { stdout } = await run('npm', ['ls', '--all', '--parseable', ...extra], {
    cwd: dir,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((err: { stdout: string }) => ({ stdout: err.stdout }));
  return stdout
    .trim()
    .split('\n')
    .filter((p) => p !== dir && p.includes('node_modules'));
}

async function footprint(): Promise<{ dir: string; rows: string[][] }> {
  const tarball = await packClient();
  const dir = mkdtempSync(join(tmpdir(), 'livetrail-bench-consumer-'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  const started = performance.now();
  await run('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir });
  const installS = (performance.now() - started) / 1000;
  const client = await installedPackages(dir);
  const app = await installedPackages(REPO_ROOT, ['--omit=dev']);
  // The app's list includes its own workspace (shared/, linked): not a download.
  const appDeps = app.filter((p) => !p.endsWith('node_modules/@livetrail/client'));
  const clientKb = await diskKb(client);
  // npm 7+ installs peers: @trpc/client and @trpc/server name typescript as one.
  const withoutTsKb = await diskKb(client.filter((p) => !/node_modules\/(typescript|@typescript\/)/.test(p)));
  const appKb = await diskKb(appDeps);
  const mb = (kb: number) => (kb / 1024).toFixed(1);
  return {
    dir,
    rows: [
      ['@livetrail/client tarball', `${(statSync(tarball).size / 1024).toFixed(1)} KiB`, '', '', ''],
      [
        'npm install <tgz> (fresh project)',
        `${client.length} packages`,
        `${mb(clientKb)} MB`,
        `${installS.toFixed(1)} s`,
        '',
      ],
      ['  of which typescript (a peer of tRPC)', '', `${mb(clientKb - withoutTsKb)} MB`, '', ''],
      [
        'the app`s production dependencies',
        `${appDeps.length} packages`,
        `${mb(appKb)} MB`,
        '',
        `${(appKb / clientKb).toFixed(1)}× (${(appKb / withoutTsKb).toFixed(0)}× without typescript)`,
      ],
    ],
  };
}

async function seed(url: string): Promise<string> {
  const { api, close } = createLivetrailClient({ url });
  const session = await api.sessions.create.mutate({
    title: 'bench: follow a finished trail',
    agent: 'bench',
  });
  const text = 'x'.repeat(120);
  for (let done = 0; done < EVENTS - 1; done += 500) {
    const events: AgentEvent[] = [];
    for (let i = done; i < Math.min(EVENTS - 1, done + 500); i++)
      events.push(
        i % 3 === 0
          ? { type: 'tool_call', callId: `c${i}`, tool: 'bash', args: { cmd: `ls ${i}` } }
          : { type: 'assistant_message', text: `${i} ${text}` },
      );
    await api.events.append.mutate({ sessionId: session.id, events });
  }
  await api.sessions.complete.mutate({ sessionId: session.id, status: 'succeeded' });
  close();
  return session.id;
}

/** Runs a command with stdout to /dev/null; resolves with its wall time in ms (rejects on failure). */
function timed(cmd: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(performance.now() - started)
        : reject(new Error(`${cmd} exited ${code}: ${stderr}`)),
    );
  });
}

const { dir, rows: footprintRows } = await footprint();
const server = await startServerProcess();
try {
  const sessionId = await seed(server.url);
  const bin = join(dir, 'node_modules/.bin/livetrail');
  const env = { LIVETRAIL_URL: server.url, NO_COLOR: '1' };
  const clients: [string, () => Promise<number>][] = [
    [
      'curl (plain SSE), baseline',
      () => timed('curl', ['-sN', `${server.url}/api/sessions/${sessionId}/events/stream?from=0`]),
    ],
    ['livetrail tail --json', () => timed(bin, ['tail', sessionId, '--json'], env)],
    ['livetrail tail (for a person)', () => timed(bin, ['tail', sessionId], env)],
    [
      'python3 follow_session.py',
      () => timed('python3', [join(REPO_ROOT, 'test/examples/follow_session.py'), sessionId], env),
    ],
  ];
  const results: [string, number[]][] = clients.map(([name]) => [name, []]);
  // Interleaved runs, so a noisy moment hits every client alike.
  for (let r = 0; r < RUNS; r++) for (const [i, [, go]] of clients.entries()) results[i]![1].push(await go());
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const base = median(results[0]![1]);
  console.log(machineLine());
  console.log(formatTable(['footprint', 'size', 'disk', 'install', 'vs client'], footprintRows));
  console.log(`\nfollowing a finished session of ${EVENTS} events to complete, ${RUNS} runs each`);
  console.log(
    formatTable(
      ['client', 'best ms', 'median ms', 'events/s (median)', 'vs curl'],
      results.map(([name, times]) => [
        name,
        Math.min(...times).toFixed(0),
        median(times).toFixed(0),
        Math.round(EVENTS / (median(times) / 1000)).toString(),
        `${(median(times) / base).toFixed(2)}×`,
      ]),
    ),
  );
} finally {
  await server.dispose();
  rmSync(dir, { recursive: true, force: true });
}
