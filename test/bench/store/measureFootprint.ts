import { readFileSync } from 'node:fs';
import { plainSseBackfill } from './measureBackfill.ts';
import type { SpawnedServer } from './spawnServer.ts';

/** A server process's memory, KiB, from /proc/<pid>/status (Linux). */
export interface ProcMemory {
  /** VmRSS: resident now. */
  rss: number;
  /** VmHWM: the most it was ever resident. */
  hwm: number;
}

export function readProcMemory(pid: number): ProcMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match) throw new Error(`no ${name} for pid ${pid}`);
    return Number(match[1]);
  };
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/** What one started server resides in. */
export interface Footprint {
  /** After `settleMs` untouched. */
  settled: ProcMemory;
  /** After the touch (a sessions.list page and one backfill) and another second. */
  touched: ProcMemory;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Lets a freshly started server settle, reads its memory; then touches it like a first visitor
 * (one `sessions.list` page of 100; one plain SSE backfill of `touch`'s session, when given), waits a
 * second and reads it again.
 */
export async function measureFootprint(
  server: SpawnedServer,
  settleMs: number,
  touch?: { sessionId: string; events: number },
): Promise<Footprint> {
  await sleep(settleMs);
  const settled = readProcMemory(server.pid);
  const input = encodeURIComponent(JSON.stringify({ limit: 100 }));
  const res = await fetch(`${server.url}/trpc/sessions.list?input=${input}`);
  if (!res.ok) throw new Error(`sessions.list answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  await res.arrayBuffer();
  if (touch) await plainSseBackfill(server.url, touch.sessionId, touch.events);
  await sleep(1_000);
  return { settled, touched: readProcMemory(server.pid) };
}
