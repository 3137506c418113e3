/**
 * Prints how the web app's timeline copes with a long trail, in headless Chromium against a real
 * server process (sqlite store):
 *
 * (a) a 10 000-event session (mixed messages, thoughts, tool calls and results, state and cost
 *     events) opened by URL: ms from navigation to the first row on screen, to the last event's row
 *     on screen, and to the indicator saying connected (caught up); the page's element count.
 * (b) with that session open, 200 events/s appended for 10 s (every 50 ms, what is due) while typing into the composer:
 *     key-to-frame latency (keydown → the first animation frame after the textarea changed) p50/p95/max,
 *     main-thread busy % (CDP `TaskDuration` over the wall time) and long tasks.
 *
 * Numbers only, never pass/fail. TIMELINE_BENCH_LOADS sets the number of page loads (default 3). Needs `npm run build` (it serves dist/client, or the build in
 * TIMELINE_BENCH_STATIC_DIR). Run: `npm run bench:timeline`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Page } from 'playwright-core';
import { sessionPath } from '../../client/state/sessionRoute.ts';
import { createLivetrailClient } from '../../shared/createLivetrailClient.ts';
import { nodeTransports } from '../../shared/nodeTransports.ts';
import { launchBrowser } from '../support/launchBrowser.ts';
import { REPO_ROOT } from '../support/repoRoot.ts';
import { startServerProcess } from '../support/startServerProcess.ts';
import { formatTable } from './append/formatTable.ts';
import { machineLine } from './append/machineLine.ts';
import { percentile } from './fanout/percentile.ts';
import { mixedEvents } from './timeline/mixedTrail.ts';
import {
  installLoadProbe,
  installTypingProbe,
  type LoadProbe,
  type TypingProbe,
} from './timeline/pageProbes.ts';

const EVENTS = 10_000;
const BATCH = 500;
/** Fresh-context page loads per run; more for a steadier median: TIMELINE_BENCH_LOADS=7. */
const LOAD_RUNS = Math.max(1, Number(process.env.TIMELINE_BENCH_LOADS) || 3);
const LIVE_PER_SECOND = 200;
const LIVE_SECONDS = 10;
const LIVE_TICK_MS = 50;

if (!existsSync(join(REPO_ROOT, 'dist/client/index.html'))) {
  throw new Error('dist/client is not built: run `npm run build` first');
}

const elementCount = (page: Page) => page.evaluate(() => document.querySelectorAll('*').length);
const ms = (n: number | null | undefined) => (n == null ? '—' : n.toFixed(0));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const server = await startServerProcess({
  env: {
    // Seeding 10 000 events and 200/s live must not run into the per-token append limit (200/s).
    LIVETRAIL_APPEND_RATE: '1000000',
    LIVETRAIL_APPEND_BURST: '10000000',
    // To compare builds: TIMELINE_BENCH_STATIC_DIR=/path/to/another/dist/client npm run bench:timeline
    ...(process.env.TIMELINE_BENCH_STATIC_DIR
      ? { LIVETRAIL_STATIC_DIR: process.env.TIMELINE_BENCH_STATIC_DIR }
      : {}),
  },
});
const producer = createLivetrailClient({ url: server.url, ...nodeTransports });
const browser = await launchBrowser();
try {
  const { id } = await producer.api.sessions.create.mutate({ title: 'timeline bench', agent: 'bench' });
  for (let i = 0; i < EVENTS; i += BATCH) {
    await producer.api.events.append.mutate({ sessionId: id, events: mixedEvents(BATCH, i) });
  }
  const url = new URL(sessionPath(id), server.url).href;

  // (a) opening the long session, a fresh context (no cache) each time.
  const loads: { probe: LoadProbe; elements: number }[] = [];
  let page: Page | undefined;
  for (let run = 0; run < LOAD_RUNS; run++) {
    await page?.context().close();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    // tsx compiles with keepNames: functions serialized into the page call esbuild's `__name`.
    await page.addInitScript('globalThis.__name = (f) => f;');
    await page.addInitScript(installLoadProbe, { lastSeq: EVENTS });
    await page.goto(url);
    await page.waitForFunction(
      () => window.__ltLoad?.lastRowAt != null && window.__ltLoad.connectedAt != null,
      null,
      {
        timeout: 120_000,
      },
    );
    await page.waitForTimeout(500);
    loads.push({ probe: (await page.evaluate(() => window.__ltLoad))!, elements: await elementCount(page) });
  }

  // (b) live load while typing, on the page of the last run.
  const live = page!;
  const cdp = await live.context().newCDPSession(live);
  await cdp.send('Performance.enable');
  const taskSeconds = async () =>
    (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
  await live.locator('[data-testid=composer-input]').click();
  await live.evaluate(installTypingProbe);
  const busy0 = await taskSeconds();
  const wall0 = performance.now();
  let produced = 0;
  let done = false;
  const produce = (async () => {
    // Every tick appends what is due by the clock, so a slow append is made up by the next batch.
    const total = LIVE_PER_SECOND * LIVE_SECONDS;
    while (produced < total) {
      const elapsed = performance.now() - wall0;
      const due = Math.min(total, Math.floor((elapsed / 1000) * LIVE_PER_SECOND)) - produced;
      if (due > 0) {
        await producer.api.events.append.mutate({
          sessionId: id,
          events: mixedEvents(due, EVENTS + produced),
        });
        produced += due;
      }
      await new Promise((r) => setTimeout(r, LIVE_TICK_MS));
    }
    done = true;
  })();
  let typed = 0;
  while (!done) {
    await live.keyboard.type('the quick brown fox ', { delay: 30 });
    typed += 20;
    // Keep the textarea short: only the timeline's cost should show.
    if (typed % 200 === 0) await live.locator('[data-testid=composer-input]').fill('');
  }
  await produce;
  const wallS = (performance.now() - wall0) / 1000;
  const busyS = (await taskSeconds()) - busy0;
  const typing = (await live.evaluate(() => window.__ltTyping)) as TypingProbe;
  // Let the last batch land before counting.
  await live.waitForTimeout(1000);
  const liveElements = await elementCount(live);

  const sorted = [...typing.keyToFrameMs].sort((a, b) => a - b);
  console.log(
    `timeline in chromium (1280×800, sqlite store, ${process.env.TIMELINE_BENCH_STATIC_DIR ?? 'dist/client'}); ${machineLine()}`,
  );
  console.log(
    `\n(a) open a ${EVENTS.toLocaleString('en')}-event session by URL, ${LOAD_RUNS} fresh contexts`,
  );
  console.log(
    formatTable(
      ['run', 'first row ms', 'last row ms', 'connected ms', 'caught up ms', 'elements'],
      loads.map(({ probe, elements }, i) => [
        String(i + 1),
        ms(probe.firstRowAt),
        ms(probe.lastRowAt),
        ms(probe.connectedAt),
        ms(Math.max(probe.lastRowAt ?? 0, probe.connectedAt ?? 0)),
        String(elements),
      ]),
    ),
  );
  console.log(
    `median: first row ${ms(median(loads.map((l) => l.probe.firstRowAt ?? 0)))} ms, caught up ${ms(
      median(loads.map((l) => Math.max(l.probe.lastRowAt ?? 0, l.probe.connectedAt ?? 0))),
    )} ms`,
  );
  console.log(
    `\n(b) ${LIVE_PER_SECOND} events/s for ${LIVE_SECONDS} s (${produced} events, ${(produced / wallS).toFixed(0)}/s achieved) while typing`,
  );
  console.log(
    formatTable(
      [
        'keys',
        'key→frame p50 ms',
        'p95 ms',
        'max ms',
        'main thread busy',
        'long tasks',
        'long-task ms',
        'elements after',
      ],
      [
        [
          String(sorted.length),
          ms(percentile(sorted, 50)),
          ms(percentile(sorted, 95)),
          ms(sorted.at(-1)),
          `${((busyS / wallS) * 100).toFixed(0)} %`,
          String(typing.longTasks),
          ms(typing.longTaskMs),
          String(liveElements),
        ],
      ],
    ),
  );
} finally {
  await browser.close();
  producer.close();
  await server.dispose();
}
