/**
 * Prints what abusive clients cost a well-behaved one: a follower's append→delivery latency (p50/p99)
 * over plain SSE while each attack runs — batch amplification, deep nesting, event flood, slowloris,
 * subscription flood — beside a baseline with no attack (first and again last), in one run, plus the
 * p99 ratio per attack (the goal is ≤ 3×) and the slowest /healthz answer per phase. The server is one
 * child process; each attack is another, connecting from its own loopback address (127.0.0.2 …) so a
 * per-client-IP limit would not hit the follower on 127.0.0.1. Numbers, not a pass/fail test.
 * Run: `npm run bench:abuse [-- --phase-seconds 12 --only slowloris]`; the default 12 s outlasts the 10 s
 * headers timeout, so slowloris sockets are seen being closed.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { startServerProcess } from '../support/startServerProcess.ts';
import type { DeliveryTracker } from './abuse/createDeliveryTracker.ts';
import { formatTable } from './abuse/formatTable.ts';
import { type PhaseResult, type PhaseSpec, runPhase } from './abuse/runPhase.ts';
import { seedSessions } from './abuse/seedSessions.ts';
import { killAttackers } from './abuse/spawnAttacker.ts';
import { startFollower } from './abuse/startFollower.ts';
import { trpcCall } from './abuse/trpcCall.ts';

const TOKENS = {
  admin: 'bench-admin-token-0001',
  publisher: 'bench-publisher-token-01',
  attacker: 'bench-attacker-token-001',
  viewer: 'bench-viewer-token-00001',
};
const SEED_SESSIONS = 400;
const BASELINE: PhaseSpec = { name: 'baseline' };
const ATTACKS: PhaseSpec[] = [
  { name: 'batch-amplification', attack: { mode: 'batch-amplification', source: '127.0.0.2' } },
  { name: 'deep-nesting', attack: { mode: 'deep-nesting', source: '127.0.0.3' } },
  { name: 'event-flood', attack: { mode: 'event-flood', source: '127.0.0.4' } },
  { name: 'slowloris', attack: { mode: 'slowloris', source: '127.0.0.5' } },
  { name: 'subscription-flood', attack: { mode: 'subscription-flood', source: '127.0.0.6' } },
];

const { values: flags } = parseArgs({
  options: { 'phase-seconds': { type: 'string', default: '12' }, only: { type: 'string' } },
});
const phaseSeconds = Number(flags['phase-seconds']);
if (!Number.isInteger(phaseSeconds) || phaseSeconds <= 0 || phaseSeconds > 30) {
  throw new Error('--phase-seconds must be an integer from 1 to 30');
}
const only = ATTACKS.find((p) => p.name === flags.only);
if (flags.only !== undefined && !only) {
  throw new Error(`--only must be one of ${ATTACKS.map((p) => p.name).join(', ')}`);
}
// With --only, one baseline before the attack is enough for its ratio.
const phases = only
  ? [BASELINE, only]
  : [BASELINE, ...ATTACKS, { ...BASELINE, name: 'baseline (again, after all attacks)' }];

const cpu = os.cpus();
console.log(
  `livetrail abuse bench: ${cpu[0]?.model ?? 'cpu'} × ${cpu.length} cores, ` +
    `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`,
);

const server = await startServerProcess({
  env: {
    LIVETRAIL_STORE: 'memory',
    LOG_LEVEL: 'warn',
    LIVETRAIL_TOKENS: `admin:${TOKENS.admin},agent:${TOKENS.publisher},agent:${TOKENS.attacker},viewer:${TOKENS.viewer}`,
  },
});
let follower: ReturnType<typeof startFollower> | undefined;
const shutdown = async () => {
  killAttackers();
  follower?.close();
  await server.dispose();
};
process.once('SIGINT', () => {
  void shutdown().finally(() => process.exit(130));
});

const rows: PhaseResult[] = [];
let serverDown = '';
try {
  const listBytes = await seedSessions(server.url, TOKENS.publisher, SEED_SESSIONS);
  const { id: sessionId } = await trpcCall<{ id: string }>(server.url, 'sessions.create', TOKENS.publisher, {
    title: 'abuse bench follow session',
    agent: 'bench-publisher',
  });
  let tracker: DeliveryTracker | undefined;
  follower = startFollower({
    url: server.url,
    sessionId,
    token: TOKENS.viewer,
    onEvent: (text, at) => tracker?.received(text, at),
  });
  await follower.opened;
  console.log(
    `${SEED_SESSIONS} seeded sessions (sessions.list = ${(listBytes / 1024).toFixed(0)} KB); ` +
      `publisher 20 appends/s; ${phaseSeconds} s measured per phase after 1 s of attack; ` +
      `server, bench and attackers share these ${cpu.length} cores\n`,
  );
  for (const spec of phases) {
    process.stderr.write(`phase ${spec.name}…\n`);
    const row = await runPhase(
      {
        url: server.url,
        sessionId,
        tokens: TOKENS,
        follower,
        phaseSeconds,
        track: (t) => {
          tracker = t;
        },
      },
      spec,
    );
    rows.push(row);
    if (!row.recovery.healthy) {
      serverDown = `server did not answer /healthz fast again within 20 s after ${spec.name}; stopped here`;
      break;
    }
  }
} finally {
  await shutdown();
}

console.log(formatTable(rows));
const slowRecoveries = rows.filter((r) => r.recovery.ms > 1000);
for (const r of slowRecoveries) {
  console.log(
    `\n${r.name}: /healthz took ${(r.recovery.ms / 1000).toFixed(1)} s to answer under 100 ms again`,
  );
}
if (serverDown) console.log(`\n${serverDown}\n${server.output().slice(-2000)}`);
