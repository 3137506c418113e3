import { cpus } from 'node:os';
import { percentile } from '../fanout/percentile.ts';
import type { FeedReceipts } from './feedSubscribers.ts';
import type { SessionTimes } from './liveStreams.ts';
import type { CpuWindow } from './processCpu.ts';
import type { ViewerResult } from './viewers.ts';

/** One latency row: its samples (ascending), and how many never came (counted above the max). */
export interface Latencies {
  label: string;
  sorted: number[];
  missing: number;
}

const ms = (n: number | null | undefined) => (n == null ? '—' : n.toFixed(1));

function latencies(label: string, values: number[], missing = 0): Latencies {
  return { label, sorted: [...values].sort((a, b) => a - b), missing };
}

/**
 * The live run's latency rows, over every delta × every viewer of its session: the append's round
 * trip, then stored → received by the page (its EventSource / WebSocket message), → in the DOM and
 * → painted (all pages, then by transport) with "stored" the event's server `ts`, the steps inside the
 * page, then painted against when the producer had the append's answer and when it sent it. A stored delta a viewer never showed counts as missing (worse than the max).
 */
export function liveLatencies(times: SessionTimes[], viewers: ViewerResult[]): Latencies[] {
  const bySession = new Map(times.map((t) => [t.sessionId, t]));
  const append: number[] = [];
  for (const t of times) {
    t.storedAt.forEach((stored, n) => {
      if (stored !== undefined) append.push(stored - t.sentAt[n]!);
    });
  }
  const dom: number[] = [];
  const recv: number[] = [];
  const recvToDom: number[] = [];
  const domToPaint: number[] = [];
  const answered: number[] = [];
  const sent: number[] = [];
  const painted = new Map<string, number[]>();
  const missingBy = new Map<string, number>();
  for (const v of viewers) {
    const t = bySession.get(v.sessionId)!;
    const mine = painted.get(v.transport) ?? [];
    painted.set(v.transport, mine);
    t.tsAt.forEach((ts, n) => {
      if (ts === undefined) return;
      const paintAt = v.probe.paintAt[n];
      if (paintAt === undefined) {
        missingBy.set(v.transport, (missingBy.get(v.transport) ?? 0) + 1);
        return;
      }
      const domAt = v.probe.domAt[n]!;
      const recvAt = v.recvAt[n];
      dom.push(domAt - ts);
      domToPaint.push(paintAt - domAt);
      if (recvAt !== undefined) {
        recv.push(recvAt - ts);
        recvToDom.push(domAt - recvAt);
      }
      mine.push(paintAt - ts);
      if (t.storedAt[n] !== undefined) answered.push(paintAt - t.storedAt[n]!);
      sent.push(paintAt - t.sentAt[n]!);
    });
  }
  const missing = [...missingBy.values()].reduce((a, b) => a + b, 0);
  const rows = [
    latencies('sent → append answered', append),
    latencies('stored (server ts) → received by the page', recv, missing),
    latencies('stored (server ts) → in DOM', dom, missing),
    latencies('stored (server ts) → painted', [...painted.values()].flat(), missing),
  ];
  if (painted.size > 1) {
    for (const [transport, values] of [...painted].sort()) {
      const pages = viewers.filter((v) => v.transport === transport).length;
      rows.push(latencies(`  … ${transport} pages (${pages})`, values, missingBy.get(transport) ?? 0));
    }
  }
  rows.push(latencies('received by the page → in DOM', recvToDom));
  rows.push(latencies('in DOM → painted', domToPaint));
  rows.push(latencies('append answered → painted', answered, missing));
  rows.push(latencies('sent → painted', sent, missing));
  return rows;
}

/**
 * Headless subscribers' rows: stored (server `ts`) → received, all subscribers then by transport;
 * a stored delta a subscriber never received counts as missing.
 */
export function receiptLatencies(times: SessionTimes[], receipts: FeedReceipts[]): Latencies[] {
  const bySession = new Map(times.map((t) => [t.sessionId, t]));
  const by = new Map<string, { values: number[]; missing: number; count: number }>();
  for (const r of receipts) {
    const mine = by.get(r.transport) ?? { values: [], missing: 0, count: 0 };
    by.set(r.transport, mine);
    mine.count++;
    bySession.get(r.sessionId)!.tsAt.forEach((ts, n) => {
      if (ts === undefined) return;
      const at = r.recvAt[n];
      if (at === undefined) mine.missing++;
      else mine.values.push(at - ts);
    });
  }
  const all = [...by.values()];
  return [
    latencies(
      'stored (server ts) → received',
      all.flatMap((b) => b.values),
      all.reduce((sum, b) => sum + b.missing, 0),
    ),
    ...[...by]
      .sort()
      .map(([transport, b]) => latencies(`  … ${transport} (${b.count})`, b.values, b.missing)),
  ];
}

/** Table rows for `formatTable`: samples, missing, p50 / p95 / p99 / max. */
export function latencyRows(rows: Latencies[]): string[][] {
  return rows.map(({ label, sorted, missing }) => {
    const total = sorted.length + missing;
    return [
      label,
      String(sorted.length),
      String(missing),
      ms(percentile(sorted, 50, total)),
      ms(percentile(sorted, 95, total)),
      ms(percentile(sorted, 99, total)),
      missing > 0 ? `> ${ms(sorted.at(-1))}` : ms(sorted.at(-1)),
    ];
  });
}

/** Deltas a run stored. */
export function storedDeltas(times: SessionTimes[]): number {
  return times.reduce((sum, t) => sum + t.storedAt.filter((x) => x !== undefined).length, 0);
}

/**
 * A CPU table row: run name, viewers, deltas stored and their rate, the server's CPU (/proc, then
 * /metrics) and its CPU ms per delta stored, Chromium's, this process's, everything else on the
 * machine (its busy time less those three), and the machine's busy share of all cores.
 */
export function cpuRow(name: string, viewers: number, times: SessionTimes[], cpu: CpuWindow): string[] {
  const stored = storedDeltas(times);
  const pct = (n: number | null) => (n === null ? '—' : `${n.toFixed(0)} %`);
  const others =
    (cpu.machinePct / 100) * cpus().length * 100 - cpu.serverPct - (cpu.browserPct ?? 0) - cpu.benchPct;
  return [
    name,
    String(viewers),
    String(stored),
    (stored / cpu.wallS).toFixed(0),
    pct(cpu.serverPct),
    pct(cpu.serverMetricsPct),
    (((cpu.serverPct / 100) * cpu.wallS * 1000) / Math.max(1, stored)).toFixed(2),
    pct(cpu.browserPct),
    pct(cpu.benchPct),
    pct(Math.max(0, others)),
    pct(cpu.machinePct),
  ];
}

/** The median of `xs` (the lower middle for an even count). */
export function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
}
