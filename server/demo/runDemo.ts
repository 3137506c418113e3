/**
 * `npm run demo`: runs the simulated agents against the livetrail server on HOST:PORT — the one
 * already running there (`npm start`), or else one it starts itself, with its own data directory
 * (`./.livetrail-demo-data`, never `npm start`'s) — and prints the URL to open; the agents print
 * each session's URL. Flags after `--` go to the agents:
 *
 *   npm run demo -- --speed 10 --agents 5
 *
 * Uses the server's own environment (HOST, PORT, LIVETRAIL_STORE, …). Ctrl-C stops what it started.
 */
import { type Config, fromEnv } from '../config.ts';
import { createSupervisor } from './createSupervisor.ts';
import { DEMO_DATA_DIR, demoServerEnv } from './demoServerEnv.ts';
import { DEMO_FLAGS_USAGE, parseDemoFlags } from './parseDemoFlags.ts';
import { agentAccessProblem, probeServer } from './probeServer.ts';
import type { Child } from './startChild.ts';

const TSX = 'node_modules/.bin/tsx';
/** The first start builds the web app, which can take a while on a slow machine. */
const HEALTHY_WITHIN_MS = 120_000;

/** Where a local client reaches a server listening on `host` (a wildcard address means this machine). */
function localUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

function fail(line: string): never {
  process.stderr.write(`demo: ${line}\n`);
  process.exit(2);
}

/** Polls /healthz until it answers 200; throws with the last problem seen if it never does. */
async function waitUntilHealthy(url: string, server: Child, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (server.done) throw new Error(`the server exited before it became healthy (${last})`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`;
    } catch (err) {
      last = ((err as Error).cause as Error | undefined)?.message ?? (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url}/healthz did not answer 200 within ${withinMs / 1000} s (last: ${last})`);
}

async function main(): Promise<void> {
  const agentArgs = process.argv.slice(2);
  let flags: ReturnType<typeof parseDemoFlags>;
  try {
    flags = parseDemoFlags(agentArgs);
  } catch (err) {
    fail((err as Error).message);
  }
  if (flags.help) {
    const usage = DEMO_FLAGS_USAGE.split('\n').filter((line) => !line.includes('--url'));
    process.stdout.write(`usage: npm run demo -- [options]\n${usage.join('\n')}\n`);
    process.stdout.write('the server reads HOST, PORT, LIVETRAIL_STORE, LIVETRAIL_DATA_DIR, LOG_LEVEL\n');
    return;
  }
  if (agentArgs.some((a) => a === '--url' || a.startsWith('--url='))) {
    fail('--url is set from HOST and PORT here; run server/demo/demoAgents.ts to target another server');
  }
  let config: Config;
  const serverEnv = demoServerEnv(process.env);
  try {
    config = fromEnv(serverEnv);
  } catch (err) {
    fail((err as Error).message);
  }
  if (config.port === 0) fail('PORT=0 picks a random port the agents could not find; set a port');
  const url = localUrl(config.host, config.port);

  const there = await probeServer(url);
  if (there.kind === 'other') {
    fail(
      `something that is not livetrail is listening on ${url} (${there.detail}); stop it, or run the demo on another port: PORT=3001 npm run demo`,
    );
  }
  const attached = there.kind === 'livetrail';
  const supervisor = createSupervisor('demo');
  if (attached) {
    process.stdout.write(
      `demo: a livetrail server is already running on ${url}; the agents write into its sessions ` +
        `(${there.store} store${there.ok ? '' : ', unhealthy right now: the agents retry'})\n`,
    );
  } else {
    const where =
      config.store === 'sqlite'
        ? `its own data in ${DEMO_DATA_DIR} (not npm start's)`
        : `the ${config.store} store`;
    process.stdout.write(`demo: starting a livetrail server on ${url} with ${where}\n`);
    const server = supervisor.start('server', TSX, ['server/main.ts', '--build-if-stale'], serverEnv);
    try {
      await waitUntilHealthy(url, server, HEALTHY_WITHIN_MS);
    } catch (err) {
      process.stderr.write(`demo: ${(err as Error).message}\n`);
      await supervisor.shutdown(1);
    }
  }

  // With tokens configured the agents need one that may produce; an explicit LIVETRAIL_TOKEN wins.
  const agentToken =
    process.env.LIVETRAIL_TOKEN || config.tokens.find((t) => t.role === 'agent' || t.role === 'admin')?.token;
  if (config.auth === 'on' && !agentToken) {
    process.stderr.write(
      'demo: LIVETRAIL_TOKENS has no agent or admin token for the demo agents (or set LIVETRAIL_TOKEN)\n',
    );
    await supervisor.shutdown(1);
  }
  // A running server's tokens are its own: say so now rather than have every agent refused.
  const problem = attached ? await agentAccessProblem(url, agentToken) : undefined;
  if (problem) fail(problem);
  const agents = supervisor.start(
    'agents',
    TSX,
    ['server/demo/demoAgents.ts', '--url', url, ...agentArgs],
    { ...process.env, ...(agentToken && { LIVETRAIL_TOKEN: agentToken }) },
    // Agents that played all their sessions leave the server up, so the trails can still be browsed.
    { mayFinish: true },
  );
  const stops = attached ? 'the agents; the server keeps running' : 'the demo';
  process.stdout.write(`\ndemo: open ${url} to watch the agents (Ctrl-C stops ${stops})\n\n`);
  const code = await agents.exited;
  if (code !== 0 || supervisor.stopping) return;
  if (attached) {
    process.stdout.write(`demo: the agents are done; the server on ${url} keeps running\n`);
    await supervisor.shutdown(0);
  }
  process.stdout.write(`demo: the agents are done; ${url} stays up until Ctrl-C\n`);
}

void main();
