/**
 * Prints how fast the web app is live again after a server restart, in headless Chromium against a
 * real server process (sqlite store): a session is open, the server is stopped (SIGTERM, and in a
 * second series SIGKILL), stays down RESTART_BENCH_DOWN_MS (4 s), and is started again on the same
 * port and data directory. Measured from "server ready" (the first 200 from its /healthz, polled
 * every 5 ms by this script) to the page's indicator saying connected, and to the row of an event
 * appended at that moment appearing in the timeline; RESTART_BENCH_RUNS (5) runs each, median and max.
 *
 * Side by side in the same run: the page with its reachability probe (GET /healthz about every
 * second while the server is down), and a baseline whose /healthz requests are blocked (Playwright
 * aborts them), so it can only wait out its backoff — the behaviour before the probe.
 *
 * Numbers only, never pass/fail. Serves LIVETRAIL_STATIC_DIR (build it first:
 * `npx vite build --outDir /tmp/dist-bench --emptyOutDir`), else dist/client. Run: `npm run bench:restart`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import { sessionPath } from '../../client/state/sessionRoute.ts';
import { createLivetrailClient } from '../../shared/createLivetrailClient.ts';
import { nodeTransports } from '../../shared/nodeTransports.ts';
import { launchBrowser } from '../support/launchBrowser.ts';
import { REPO_ROOT } from '../support/repoRoot.ts';
import { startServerProcess } from '../support/startServerProcess.ts';
import { formatTable } from './append/formatTable.ts';
import { machineLine } from './append/machineLine.ts';

const RUNS = Number(process.env.RESTART_BENCH_RUNS ?? 5);
const DOWN_MS = Number(process.env.RESTART_BENCH_DOWN_MS ?? 4000);
const STATIC_DIR = process.env.LIVETRAIL_STATIC_DIR ?? join(REPO_ROOT, 'dist/client');
const SIGNALS = ['SIGTERM', 'SIGKILL'] as const;
const VARIANTS = ['probe', 'baseline'] as const;
type Variant = (typeof VARIANTS)[number];

if (!existsSync(join(STATIC_DIR, 'index.html'))) {
  throw new Error(`${STATIC_DIR} has no build: run \`npx vite build --outDir ${STATIC_DIR}\` first`);
}

declare global {
  interface Window {
    __benchConnectedAt?: number[];
    __benchRowAt?: Record<string, number>;
  }
}

/** Runs in the page: when the indicator says connected, and when each timeline row first appears. */
function installRecorder(): void {
  window.__benchConnectedAt = [];
  window.__benchRowAt = {};
  let last = '';
  const check = () => {
    const state = document.querySelector('[data-testid=network-indicator]')?.getAttribute('data-state') ?? '';
    if (state === 'connected' && last !== 'connected') window.__benchConnectedAt!.push(Date.now());
    last = state;
    for (const row of document.querySelectorAll('[data-testid=timeline-row]')) {
      const seq = row.getAttribute('data-seq');
      if (seq && window.__benchRowAt![seq] === undefined) window.__benchRowAt![seq] = Date.now();
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const max = (xs: number[]) => Math.max(...xs);

const server = await startServerProcess({ env: { LIVETRAIL_STATIC_DIR: STATIC_DIR } });
const producer = createLivetrailClient({ url: server.url, ...nodeTransports });
const browser: Browser = await launchBrowser();

/** Polls /healthz every 5 ms until it answers 200; resolves with Date.now() of that answer. */
async function readyAt(): Promise<number> {
  for (;;) {
    try {
      const res = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(500) });
      if (res.ok) return Date.now();
    } catch {}
    await sleep(5);
  }
}

async function oneRun(signal: (typeof SIGNALS)[number], variant: Variant) {
  const { id } = await producer.api.sessions.create.mutate({
    title: `restart ${signal} ${variant}`,
    agent: 'bench',
  });
  await producer.api.events.append.mutate({ sessionId: id, events: [{ type: 'thought', text: 'before' }] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    if (variant === 'baseline') await context.route('**/healthz', (route) => route.abort());
    const page = await context.newPage();
    await page.addInitScript('globalThis.__name = (f) => f;');
    await page.addInitScript(installRecorder);
    await page.goto(new URL(sessionPath(id), server.url).href);
    await page.waitForSelector('[data-testid=network-indicator][data-state=connected]', { timeout: 30_000 });
    await page.waitForSelector('[data-testid=timeline-row][data-seq="1"]', { timeout: 30_000 });
    await server.stop(signal);
    await page.waitForSelector('[data-testid=network-indicator][data-state=reconnecting]', {
      timeout: 30_000,
    });
    await sleep(DOWN_MS);
    const ready = readyAt();
    await server.restart();
    const t = await ready;
    const { seqs } = await producer.api.events.append.mutate({
      sessionId: id,
      events: [{ type: 'thought', text: 'after' }],
    });
    const seq = String(seqs[0]);
    await page.waitForFunction(
      (s) => (window.__benchConnectedAt ?? []).length >= 2 && window.__benchRowAt?.[s] !== undefined,
      seq,
      { timeout: 60_000, polling: 50 },
    );
    const rec = await page.evaluate(() => ({
      connected: window.__benchConnectedAt!,
      rows: window.__benchRowAt!,
    }));
    return { connected: rec.connected.at(-1)! - t, row: rec.rows[seq]! - t };
  } finally {
    await context.close();
  }
}

try {
  const results: Record<string, { connected: number[]; row: number[] }> = {};
  for (const signal of SIGNALS) {
    for (let run = 0; run < RUNS; run++) {
      // Alternated, so a slow moment of the machine hits both variants alike.
      for (const variant of VARIANTS) {
        const r = await oneRun(signal, variant);
        const key = `${signal} ${variant}`;
        results[key] ??= { connected: [], row: [] };
        results[key].connected.push(r.connected);
        results[key].row.push(r.row);
        process.stderr.write(`${key} run ${run + 1}: connected +${r.connected} ms, row +${r.row} ms\n`);
      }
    }
  }
  console.log(
    `server restart → page live again, Chromium (sqlite store, down ${DOWN_MS} ms, ${RUNS} runs each, ${STATIC_DIR}); ${machineLine()}`,
  );
  const rows = SIGNALS.flatMap((signal) =>
    VARIANTS.map((variant) => {
      const r = results[`${signal} ${variant}`]!;
      const base = results[`${signal} baseline`]!;
      const ratio =
        variant === 'probe'
          ? `${(median(base.connected) / Math.max(1, median(r.connected))).toFixed(1)}×`
          : '—';
      return [
        `${signal}, ${variant === 'probe' ? 'probe /healthz' : 'backoff only (/healthz blocked)'}`,
        String(median(r.connected)),
        String(max(r.connected)),
        String(median(r.row)),
        String(max(r.row)),
        ratio,
      ];
    }),
  );
  console.log(
    formatTable(
      [
        'ms after /healthz answers 200',
        'connected p50',
        'connected max',
        'new row p50',
        'new row max',
        'baseline ÷ probe (p50)',
      ],
      rows,
    ),
  );
} finally {
  await browser.close();
  producer.close();
  await server.dispose();
}
