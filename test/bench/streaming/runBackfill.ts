import type { Browser } from 'playwright-core';
import type { LivetrailClient } from '../../../shared/createLivetrailClient.ts';
import { formatTable } from '../append/formatTable.ts';
import { type JoinResult, joinChromium, joinPlainSse, joinTrpc, seedBackfill } from './backfill.ts';
import { median } from './summarize.ts';

/** Options of `runBackfill`. */
export interface BackfillPlan {
  url: string;
  producer: LivetrailClient;
  browser: Browser;
  messages: number;
  deltas: number;
  /** Joins per route and mode (and Chromium page loads); medians are printed. */
  runs: number;
}

/**
 * Part (b): seeds the session, joins it late `runs` times per route (plain SSE, tRPC SSE) and mode
 * (compacted, raw), then opens it in Chromium `runs` times; returns the printed report.
 */
export async function runBackfill(plan: BackfillPlan): Promise<string> {
  const { url, runs: n } = plan;
  const seedStarted = performance.now();
  const s = await seedBackfill(plan.producer, { messages: plan.messages, deltas: plan.deltas });
  const seedS = (performance.now() - seedStarted) / 1000;
  const joins: { route: string; compact: boolean; runs: JoinResult[] }[] = [];
  for (const route of ['plain SSE (fetch)', 'tRPC SSE (onEvents)']) {
    for (const compact of [true, false]) {
      const runs: JoinResult[] = [];
      for (let i = 0; i < n; i++) {
        runs.push(
          route.startsWith('plain') ? await joinPlainSse(url, s, compact) : await joinTrpc(url, s, compact),
        );
      }
      joins.push({ route, compact, runs });
    }
  }
  const pages = [];
  for (let i = 0; i < n; i++) pages.push(await joinChromium(plan.browser, url, s));

  const med = (runs: JoinResult[], key: keyof JoinResult) => median(runs.map((r) => r[key]));
  const out = [
    `(b) BACKFILL: ${plan.messages} finished messages × ${plan.deltas} deltas of 8 characters ` +
      `(${s.lastStartSeq + plan.deltas + 1} events, seeded in ${seedS.toFixed(1)} s); ` +
      `a late joiner, until the last message arrived; median of ${n}`,
    formatTable(
      ['late joiner', 'frames', 'bytes', 'request → first byte ms', 'first byte → caught up ms'],
      joins.map(({ route, compact, runs }) => [
        `${route}, ${compact ? 'compacted' : 'raw'}`,
        String(med(runs, 'frames')),
        med(runs, 'bytes').toLocaleString('en'),
        med(runs, 'firstMs').toFixed(1),
        med(runs, 'caughtUpMs').toFixed(1),
      ]),
    ),
  ];
  for (const route of new Set(joins.map((j) => j.route))) {
    const [c, r] = [true, false].map(
      (compact) => joins.find((j) => j.route === route && j.compact === compact)!,
    );
    const ratio = (key: keyof JoinResult) => (med(r!.runs, key) / med(c!.runs, key)).toFixed(1);
    out.push(
      `${route} raw / compacted: frames ${ratio('frames')}×, bytes ${ratio('bytes')}×, caught up ${ratio('caughtUpMs')}×`,
    );
  }
  const ms = (xs: (number | null)[]) => [
    ...xs.map((x) => (x ?? 0).toFixed(0)),
    median(xs.map((x) => x ?? 0)).toFixed(0),
  ];
  out.push(
    formatTable(
      [`chromium (fresh context), compacted`, ...pages.map((_, i) => `run ${i + 1}`), 'median'],
      [
        [`navigation → message ${plan.messages}'s full text ms`, ...ms(pages.map((p) => p.fullTextAt))],
        ['navigation → indicator connected ms', ...ms(pages.map((p) => p.connectedAt))],
      ],
    ),
  );
  return out.join('\n');
}
