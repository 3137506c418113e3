/**
 * `npm run demo`: starts the livetrail server, waits until it is healthy, then starts the simulated
 * agents against it and prints the URL to open. Flags after `--` go to the agents:
 *
 *   npm run demo -- --speed 10 --agents 5
 *
 * Uses the server's own environment (HOST, PORT, LIVETRAIL_STORE, …). Ctrl-C stops both.
 */
import { type Config, fromEnv } from '../config.ts';
import { createSupervisor } from './createSupervisor.ts';
import { DEMO_FLAGS_USAGE, parseDemoFlags } from './parseDemoFlags.ts';
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

/** Whether anything answers HTTP at `url`. */
async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
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
  try {
    config = fromEnv(process.env);
  } catch (err) {
    fail((err as Error).message);
  }
  if (config.port === 0) fail('PORT=0 picks a random port the agents could not find; set a port');
  const url = localUrl(config.host, config.port);

  // Otherwise the health check could pass against whatever already holds the port.
  if (await answers(url)) fail(`something is already listening on ${url} (set PORT=…)`);

  const supervisor = createSupervisor('demo');
  // The agents' lines are the show; the server's JSON logs would drown them unless asked for.
  const serverEnv = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL || 'warn' };
  const server = supervisor.start('server', TSX, ['server/main.ts', '--build-if-stale'], serverEnv);
  try {
    await waitUntilHealthy(url, server, HEALTHY_WITHIN_MS);
  } catch (err) {
    process.stderr.write(`demo: ${(err as Error).message}\n`);
    await supervisor.shutdown(1);
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
  const agents = supervisor.start(
    'agents',
    TSX,
    ['server/demo/demoAgents.ts', '--url', url, ...agentArgs],
    { ...process.env, ...(agentToken && { LIVETRAIL_TOKEN: agentToken }) },
    // Agents that played all their sessions leave the server up, so the trails can still be browsed.
    { mayFinish: true },
  );
  process.stdout.write(`\ndemo: open ${url} to watch the agents (Ctrl-C stops the demo)\n\n`);
  if ((await agents.exited) === 0 && !supervisor.stopping) {
    process.stdout.write(`demo: the agents are done; ${url} stays up until Ctrl-C\n`);
  }
}

void main();
