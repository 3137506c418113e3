/**
 * Simulated AI agents that stream realistic trails into a livetrail server — and an example of the
 * typed client: everything below talks to the server through `createLivetrailClient` alone.
 *
 *   tsx server/demo/demoAgents.ts --url http://127.0.0.1:3000 --agents 3 --speed 1
 *
 * Each agent creates a session, works through a scripted task (thinking, tool calls, costs, now and
 * then a failure), streaming its thoughts and replies word by word at 30–60 characters per second
 * (times --speed), sometimes stops to ask a question and waits for a person to answer it in the web
 * app (10 minutes, --speed shortens it to no less than 2), and completes the session; a person's
 * Stop in the web app cancels it at once. Each session is logged with its page's URL. Ctrl-C
 * cancels the open sessions and exits.
 */
import { createLivetrailClient } from '@livetrail/client';
import { createScenarioDeck } from './createScenarioDeck.ts';
import { DEMO_SCENARIOS } from './demoScenarios.ts';
import { DEMO_FLAGS_USAGE, type DemoFlags, parseDemoFlags } from './parseDemoFlags.ts';
import { runDemoAgent } from './runDemoAgent.ts';
import { sessionUrl } from './sessionUrl.ts';

const AGENT_NAMES = ['atlas', 'juniper', 'kestrel', 'marlin', 'osprey', 'quill', 'sable', 'tern'];

/** Agent names: a short list, numbered once it runs out. */
function agentName(i: number): string {
  const base = AGENT_NAMES[i % AGENT_NAMES.length]!;
  return i < AGENT_NAMES.length ? base : `${base}-${Math.floor(i / AGENT_NAMES.length) + 1}`;
}

async function main(): Promise<number> {
  let flags: DemoFlags;
  try {
    flags = parseDemoFlags(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`demo agents: ${(err as Error).message}\n`);
    return 2;
  }
  if (flags.help) {
    process.stdout.write(`usage: tsx server/demo/demoAgents.ts [options]\n${DEMO_FLAGS_USAGE}\n`);
    return 0;
  }

  // A server with access control needs an agent (or admin) token; runDemo passes the one it knows.
  const token = process.env.LIVETRAIL_TOKEN || undefined;
  const client = createLivetrailClient({ url: flags.url, token });
  const stop = new AbortController();
  let stoppedAt = 0;
  const onSignal = () => {
    // A second Ctrl-C means "now": skip cancelling the open sessions. One within a moment of the first
    // is the same Ctrl-C relayed by a parent (npm, tsx, timeout), not a second press.
    if (stop.signal.aborted && Date.now() - stoppedAt > 1500) process.exit(130);
    if (stop.signal.aborted) return;
    stoppedAt = Date.now();
    stop.abort(new Error('stopped'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const sessions = flags.once ? 1 : flags.maxSessions;
  process.stdout.write(
    `demo agents: ${flags.agents} agent(s) → ${flags.url} at speed ${flags.speed}` +
      `${sessions ? `, ${sessions} session(s) each` : ''}\n`,
  );
  const nextScenario = createScenarioDeck(DEMO_SCENARIOS);
  const width = Math.max(...Array.from({ length: flags.agents }, (_, i) => agentName(i).length));
  await Promise.all(
    Array.from({ length: flags.agents }, (_, i) => {
      const name = agentName(i);
      const log = (line: string) => process.stdout.write(`[${name.padEnd(width)}] ${line}\n`);
      const { speed } = flags;
      const link = (id: string) => sessionUrl(flags.url, id);
      const { api } = client;
      return runDemoAgent({
        api,
        name,
        speed,
        nextScenario,
        sessions,
        signal: stop.signal,
        log,
        sessionUrl: link,
      });
    }),
  );
  client.close();
  process.stdout.write(stop.signal.aborted ? 'demo agents: stopped\n' : 'demo agents: all sessions done\n');
  return 0;
}

main().then(
  // Exit explicitly: an SSE reconnect timer must not keep a finished demo alive.
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`demo agents: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
