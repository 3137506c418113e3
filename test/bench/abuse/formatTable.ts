import type { PhaseResult } from './runPhase.ts';

const ms = (n: number) => (Number.isNaN(n) ? '-' : n >= 100 ? n.toFixed(0) : n.toFixed(1));
const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The bench's markdown table, one row per phase, p99 ratios against the first baseline. */
export function formatTable(rows: PhaseResult[]): string {
  const baseline = rows[0]?.p99 ?? Number.NaN;
  const lines = [
    '| phase | follower events | p50 ms | p99 ms | max ms | p99 ratio vs baseline | max /healthz ms | attacker outcome (statuses/closed) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const events = [
      `${r.delivered}/${r.sent}`,
      r.lost > 0 && `${r.lost} lost/late`,
      r.failedCount > 0 && `appends failed ${r.failed}`,
      r.followerErrors > 0 && `${r.followerErrors} follower drops`,
    ]
      .filter(Boolean)
      .join(', ');
    const ratio = Number.isNaN(r.p99) || Number.isNaN(baseline) ? '-' : `${(r.p99 / baseline).toFixed(1)}×`;
    const health = `${ms(r.health.maxMs)}${r.health.failures === 'none' ? '' : ` (failed ${r.health.failures})`}`;
    lines.push(
      `| ${[r.name, events, ms(r.p50), ms(r.p99), ms(r.max), ratio, health, r.outcome].map(cell).join(' | ')} |`,
    );
  }
  return lines.join('\n');
}
