/**
 * Seeds a data directory through the store API, as its own process (so the bench's heap stays out
 * of it), then closes the store (releasing the SQLite data-dir lock). Argument: a SeedPlan as JSON.
 * It continues a directory seeded before: sessions are found by title, so a 200k directory can be
 * grown to 1M. Prints one line of JSON (SeedReport) on stdout.
 * Run: `node --import tsx test/bench/store/seedMain.ts '<plan json>'`.
 */
import { performance } from 'node:perf_hooks';
import type { Session } from '@livetrail/client';
import type { EventStore } from '../../../server/store/eventStore.ts';
import { openSqliteStore } from '../../../server/store/openSqliteStore.ts';
import { openLegacyFileStore } from './legacyFileStore.ts';
import type { SeedPlan, SeedReport } from './seedPlan.ts';
import { seedEvent } from './seedText.ts';

const plan = JSON.parse(process.argv[2] ?? '') as SeedPlan;
const loud = (m: string) => process.stderr.write(`seed: ${m}\n`);
const t0 = performance.now();
const store: EventStore =
  plan.kind === 'sqlite'
    ? await openSqliteStore({ dir: plan.dir, log: { info: () => {}, warn: loud, error: loud } })
    : await openLegacyFileStore(plan.dir, loud);
const openMs = performance.now() - t0;

const existing = new Map<string, Session>();
for (const s of await store.listSessions()) existing.set(s.title, s);
const sessionFor = async (title: string) =>
  existing.get(title) ?? (await store.createSession({ title, agent: 'seed' }));
const backfill = await sessionFor('backfill');
const seeded: Session[] = [];
for (let i = 0; i < plan.sessions; i++) seeded.push(await sessionFor(`seed-${i}`));

/** Next seq of each session (its events so far), by id. */
const next = new Map<string, number>([backfill, ...seeded].map((s) => [s.id, s.lastSeq]));
const stored = () => [...next.values()].reduce((a, b) => a + b, 0);
const before = stored();

/** Batches still to append, as [session, count]: the backfill session first, then round robin. */
function* batches(): Generator<[Session, number]> {
  for (let left = plan.backfillEvents - next.get(backfill.id)!; left > 0; left -= plan.batch)
    yield [backfill, Math.min(plan.batch, left)];
  let total = stored();
  for (let i = 0; total < plan.total; i++) {
    const n = Math.min(plan.batch, plan.total - total);
    total += n;
    yield [seeded[i % seeded.length]!, n];
  }
}

const t1 = performance.now();
const queue = batches();
const worker = async () => {
  for (let item = queue.next(); !item.done; item = queue.next()) {
    const [session, n] = item.value;
    const from = next.get(session.id)!;
    next.set(session.id, from + n);
    const events = Array.from({ length: n }, (_, j) => seedEvent(session.title, from + j + 1));
    await store.append(session.id, events);
  }
};
// Different sessions in flight at once: the group commit writes them together, as a busy server does.
await Promise.all(Array.from({ length: plan.inFlight }, worker));
const appendMs = performance.now() - t1;
const t2 = performance.now();
await store.close();
const report: SeedReport = {
  events: stored(),
  appended: stored() - before,
  openMs,
  appendMs,
  closeMs: performance.now() - t2,
  backfillSessionId: backfill.id,
  backfillEvents: next.get(backfill.id)!,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
