import { performance } from 'node:perf_hooks';
import type { MongoWireServer } from '../../support/mongoWire/createMongoWireServer.ts';

/** One fault injected into the wire test server. */
export interface Fault {
  /** Replication paused this long first (a primary cut off from its secondaries), so that the
   *  writes it takes meanwhile sit past the majority commit point: exactly what a rollback undoes. */
  partitionMs?: number;
  rollback: boolean;
  electionMs: number;
}

export const describeFault = (f: Fault) =>
  `${f.rollback ? 'stepDown({rollback: true})' : 'stepDown()'}` +
  `${f.partitionMs ? ` after ${f.partitionMs} ms with replication paused` : ''}, election ${f.electionMs} ms`;

/**
 * The faults of a run: rollbacks with and without writes to undo, one plain stepdown, and elections
 * longer than the bench's store retry window (1 s), which only the client's retries ride out.
 */
export function faultPlan(quick: boolean): Fault[] {
  const plan: Fault[] = [
    { partitionMs: 300, rollback: true, electionMs: 200 },
    { rollback: true, electionMs: 200 },
    { rollback: false, electionMs: 200 },
    { partitionMs: 300, rollback: true, electionMs: 1_500 },
  ];
  return quick
    ? plan
    : [...plan, { partitionMs: 500, rollback: true, electionMs: 200 }, { rollback: true, electionMs: 2_000 }];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Injects `faults` one after another, `gapMs` apart (the first after `gapMs`), and returns a line
 * per fault: when it started (s since `t0`) and how long it took until the server was primary again.
 */
export async function runFaults(
  wire: MongoWireServer,
  faults: Fault[],
  gapMs: number,
  t0: number,
): Promise<string[]> {
  const lines: string[] = [];
  for (const fault of faults) {
    await sleep(gapMs);
    const start = performance.now();
    if (fault.partitionMs) {
      wire.pauseReplication();
      await sleep(fault.partitionMs);
    }
    await wire.stepDown({ rollback: fault.rollback, electionMs: fault.electionMs });
    const end = performance.now();
    lines.push(
      `  t=${((start - t0) / 1000).toFixed(1)} s  ${describeFault(fault)}: primary again after ${(end - start).toFixed(0)} ms`,
    );
  }
  return lines;
}
