import type { BurstResult, OpenStats, PacedResult } from './fanoutProtocol.ts';
import { formatTable } from './formatTable.ts';
import type { ServerRun } from './serverRun.ts';
import { SERVER_LABELS } from './startBenchServer.ts';

const rate = (n: number) =>
  n >= 1e6
    ? `${(n / 1e6).toFixed(2)}M`
    : n >= 1e5
      ? `${(n / 1e3).toFixed(0)}k`
      : n >= 1e3
        ? `${(n / 1e3).toFixed(1)}k`
        : n.toFixed(0);
const ms = (n: number | null, cutoff: number) =>
  n === null
    ? `>${(cutoff / 1000).toFixed(0)} s`
    : n >= 100
      ? n.toFixed(0)
      : n >= 10
        ? n.toFixed(1)
        : n.toFixed(2);
const pct = (n: number) => `${n.toFixed(0)}%`;
const kb = (bytes: number) => (Number.isNaN(bytes) ? '-' : `${(bytes / 1024).toFixed(1)} KB`);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Problems opening subscribers, for the notes. */
function openNotes(what: string, open: OpenStats | undefined): string[] {
  if (!open) return [];
  return [
    open.failed > 0 && `${what}: ${open.failed} subscribers failed to open (${open.firstError})`,
    open.skipped > 0 && `${what}: ${open.skipped} subscribers not opened (40 s open budget spent)`,
    open.dropped > 0 && `${what}: ${open.dropped} subscribers dropped`,
  ].filter((n): n is string => typeof n === 'string');
}

function burstCell(bursts: BurstResult[]): { cell: string; cpu: string; notes: string[] } {
  if (bursts.length === 0) return { cell: '-', cpu: '-', notes: [] };
  const dps = bursts.map((b) => b.deliveriesPerSec);
  const partial = bursts.find((b) => b.timedOut);
  const partials = bursts.filter((b) => b.timedOut).length;
  const details = [
    bursts.length > 1 && `median of ${bursts.length}: ${rate(Math.min(...dps))}–${rate(Math.max(...dps))}`,
    partials > 0 && (bursts.length > 1 ? `${partials} partial` : 'partial'),
  ].filter(Boolean);
  const spread = details.length > 0 ? ` (${details.join('; ')})` : '';
  const notes = bursts.flatMap((b, i) => [
    ...openNotes(`A#${i + 1}`, b.open),
    ...(b.publishErrors > 0
      ? [`A#${i + 1}: ${b.publishErrors} publishes failed (${b.firstPublishError})`]
      : []),
  ]);
  if (partial) {
    notes.push(
      `A: partial — ${partial.delivered}/${partial.expected} deliveries had arrived when the ${partial.capMs / 1000} s cap ended the run (${partial.published}/${partial.events} appends answered by then)`,
    );
  }
  for (const [i, b] of bursts.entries()) {
    if (b.delivered > b.expected)
      notes.push(`A#${i + 1}: ${b.delivered - b.expected} deliveries more than expected`);
  }
  const mid = bursts.reduce((a, b) =>
    Math.abs(b.deliveriesPerSec - median(dps)) < Math.abs(a.deliveriesPerSec - median(dps)) ? b : a,
  );
  return {
    cell: `${rate(median(dps))}${spread}`,
    cpu: `${pct(mid.serverCpu)} / ${pct(mid.clientCpu)}`,
    notes,
  };
}

function pacedCell(name: string, r: PacedResult | undefined): { cell: string; notes: string[] } {
  if (!r) return { cell: '-', notes: [] };
  const notes = openNotes(name, r.open);
  if (r.publishErrors > 0)
    notes.push(`${name}: ${r.publishErrors} publishes failed (${r.firstPublishError})`);
  if (r.behind.length > 0) notes.push(`${name}: falling behind — ${r.behind.join('; ')}`);
  return {
    cell: `${ms(r.p50, r.cutoffMs)} / ${ms(r.p99, r.cutoffMs)}${r.behind.length > 0 ? ' ⚠ behind' : ''}`,
    notes,
  };
}

/** The bench's table, one row per server, and the notes on anything partial or failed. */
export function formatResults(runs: ServerRun[], rates: number[]): string {
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const run of runs) {
    const label = SERVER_LABELS[run.kind];
    const a = burstCell(run.bursts);
    const b = rates.map((r) => pacedCell(`B ${r}/s`, run.paced.find((p) => p.rate === r)?.result));
    const d = pacedCell('D', run.spread);
    const idle = run.idle;
    const idleCell = idle
      ? `${kb(idle.bytesPerSubscriber)} (${idle.open.opened < run.idleWanted ? `${idle.open.opened}/${run.idleWanted} ` : ''}opened in ${(idle.open.openMs / 1000).toFixed(1)} s)`
      : '-';
    rows.push([
      label,
      a.cell,
      a.cpu,
      ...b.map((x) => x.cell),
      idleCell,
      d.cell,
      run.spread ? pct(run.spread.serverCpu) : '-',
      `${run.seconds.toFixed(0)} s`,
    ]);
    const rowNotes = [
      ...a.notes,
      ...b.flatMap((x) => x.notes),
      ...openNotes('C', idle?.open),
      ...d.notes,
      ...run.errors,
    ];
    for (const n of rowNotes) notes.push(`- ${label}: ${n}`);
  }
  const headers = [
    'server',
    'A deliveries/s',
    'A CPU server / client',
    ...rates.map((r) => `B ${r}/s p50 / p99 ms`),
    'C RSS / idle sub',
    'D p50 / p99 ms',
    'D server CPU',
    'time',
  ];
  return [formatTable(headers, rows), ...(notes.length > 0 ? ['', 'Notes:', ...notes] : [])].join('\n');
}
