/**
 * Prints what fanning one event out to many subscribers costs livetrail, beside floors, in one run:
 * a bare Node SSE server and a bare `ws` server (each encodes an event once and writes the same
 * Buffer to every socket), Socket.IO 4's broadcast, and livetrail's tRPC SSE, tRPC WebSocket and
 * plain SSE routes (the real server, memory store). Each server runs in its own process; one client
 * process holds every subscriber and the publisher, with raw `http.get` / `ws` / socket.io-client
 * subscribers, so client cost is the same for every server. Numbers, not a pass/fail test:
 *   A  deliveries/s: 1000 subscribers on one session, 100 events (~200 B) published as fast as the
 *      server answers (4 in flight); delivered / (last delivery − first publish); median of up to 3
 *      runs (8 s cap each, no new run after 16 s on A).
 *   B  publish→delivery p50/p99: 1000 subscribers × 20 events/s, then × 50 events/s, 5 s each.
 *   C  server RSS per idle subscriber: 5000 subscribers opened 200 at a time, RSS delta / 5000.
 *   D  1000 viewers on 1000 sessions, one event per second each (spread over the second) for 10 s:
 *      p50/p99 and the server's CPU (utime+stime from /proc over wall time; 100% = one core).
 * Every measurement is capped in time and reports what it saw (partial, "behind") when a server is
 * too slow. Run: `npm run bench:fanout [-- --quick] [--only trpc-sse,bare-sse] [--subscribers 1000]`
 * (`--idle 5000` sets C's count).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { benchPlan } from './fanout/benchPlan.ts';
import { SERVER_KINDS, type ServerKind } from './fanout/fanoutProtocol.ts';
import { formatResults } from './fanout/formatResults.ts';
import { measureServer } from './fanout/measureServer.ts';
import type { ServerRun } from './fanout/serverRun.ts';

const { values: flags } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    subscribers: { type: 'string', default: '1000' },
    idle: { type: 'string' },
  },
});
const positive = (name: string, text: string, max: number): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0 || n > max)
    throw new Error(`--${name} must be an integer from 1 to ${max}`);
  return n;
};
const subscribers = positive('subscribers', flags.subscribers, 8000);
const idle = positive('idle', flags.idle ?? (flags.quick ? '1000' : '5000'), 8000);
const kinds = (flags.only?.split(',').map((s) => s.trim()) ?? [...SERVER_KINDS]) as ServerKind[];
const unknown = kinds.filter((k) => !SERVER_KINDS.includes(k));
if (unknown.length > 0) throw new Error(`--only takes ${SERVER_KINDS.join(', ')}; not ${unknown.join(', ')}`);
const plan = benchPlan({ quick: flags.quick, subscribers, idle });

process.once('SIGINT', () => process.exit(130));
const cpu = os.cpus();
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const started = performance.now();
console.log(
  `livetrail fan-out bench: ${cpu[0]?.model ?? 'cpu'} × ${cpu.length} cores, Node ${process.version}, ` +
    `${os.platform()} ${os.release()}, ${new Date().toISOString()}; load average before: ${load()}`,
);
console.log(
  `A ${plan.subscribers} subs × ${plan.burst.events} events, window ${plan.burst.window}, ` +
    `${plan.burst.reps === 1 ? '1 run' : `median of up to ${plan.burst.reps}`}, cap ${plan.burst.capMs / 1000} s · ` +
    `B ${plan.subscribers} subs × ${plan.rates.join(' and ')} events/s for ${plan.pacedSeconds} s · ` +
    `C ${plan.idle.subscribers} idle subs · D ${plan.spread.sessions} sessions × 1 event/s for ${plan.spread.seconds} s · ` +
    `B/D cutoff ${plan.drainMs / 1000} s after the last publish; server, client (and anything else running) share the cores\n`,
);

const runs: ServerRun[] = [];
for (const kind of kinds)
  runs.push(await measureServer(kind, plan, (line) => process.stderr.write(`${line}\n`)));

console.log(formatResults(runs, plan.rates));
console.log(
  '\nA: median deliveries/s (range over the runs); a server too slow for the cap is "partial" and gets one run. ' +
    'CPU = percent of one core during the burst (over 100% with GC and helper threads; a client near 100% means the one client process, not the ' +
    'server, set the pace). B/D: latency over every expected delivery, ">N s" = not ' +
    'delivered within the cutoff; "behind" = deliveries missing at the cutoff, a publisher that could not hold ' +
    "the pace, latency that kept growing (last quarter's median > 3× the first's and > 100 ms) or p99 over 1 s. " +
    'C: (RSS after − RSS before) / subscribers opened, no GC forced.',
);
console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s; load average after: ${load()}`);
