import type { StoredEvent } from '@livetrail/client';
import { writerText } from './contentionProtocol.ts';
import { seqProblem, textOf } from './readAllEvents.ts';
import type { WriterReport } from './spawnWriters.ts';

/**
 * What is wrong with the hot session after a run, or an empty list: seqs not exactly 1..N, a text
 * stored twice, an acknowledged append missing or not at the seq it was acknowledged with, or
 * events nobody was told were stored (an append that reported an error yet landed).
 */
export function checkContention(stored: readonly StoredEvent[], reports: readonly WriterReport[]): string[] {
  const problems: string[] = [];
  const seqs = seqProblem(stored);
  if (seqs) problems.push(seqs);
  const bySeq = new Map(stored.map((e) => [e.seq, e]));
  const texts = new Map<string, number>();
  for (const e of stored) {
    const t = textOf(e) ?? '';
    texts.set(t, (texts.get(t) ?? 0) + 1);
  }
  const twice = [...texts].filter(([, n]) => n > 1);
  if (twice.length > 0) problems.push(`${twice.length} texts stored more than once (e.g. ${twice[0]![0]})`);
  let wrong = 0;
  let example = '';
  reports.forEach((r, index) => {
    for (const [n, seq] of r.acked) {
      const at = bySeq.get(seq);
      const want = writerText(index, n);
      if (at && textOf(at) === want) continue;
      wrong++;
      example ||= `${want} acknowledged at seq ${seq}, which holds ${at ? textOf(at) : 'nothing'}`;
    }
  });
  if (wrong > 0) problems.push(`${wrong} acknowledged appends not stored at their seq (e.g. ${example})`);
  const acked = reports.reduce((sum, r) => sum + r.appends, 0);
  if (stored.length > acked)
    problems.push(`${stored.length - acked} events stored that no writer saw acknowledged`);
  return problems;
}
