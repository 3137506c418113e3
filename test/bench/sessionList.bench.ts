/**
 * Is the session list fast with many sessions? Plain numbers, never pass/fail.
 *
 * A server (server/main.ts, own process) holds N sessions (default 1 000). Headless Chromium at
 * 1280×800 opens the home page and we time:
 *   list shown    navigation → all N items in the DOM and a frame painted after them
 *   search        one keystroke that narrows the list to a few → the next painted frame
 *   clear         clearing the search (all N items back) → the next painted frame
 *   live updates  events appended to random sessions (RATE batches a second for 5 s) while the list
 *                 re-sorts: the main thread's long tasks (> 50 ms) in that time, and the longest
 * Best of R runs (default 3).
 *
 * Run: `npm run bench:sessions [-- --sessions 1000 --runs 3]` (needs `npm run build`, or
 * LIVETRAIL_STATIC_DIR naming another build, and /usr/bin/chromium). ~1 min.
 */
import { parseArgs } from 'node:util';
import { createLivetrailClient } from '@livetrail/client';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../support/launchBrowser.ts';
import { startServerProcess } from '../support/startServerProcess.ts';
import { formatTable } from './append/formatTable.ts';
import { machineLine } from './append/machineLine.ts';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '3' },
    rate: { type: 'string', default: '20' },
  },
});
const N = Number(values.sessions);
const RUNS = Number(values.runs);
const RATE = Number(values.rate);
const ITEM = '[data-testid=session-item]';

/** Runs in the page: records long tasks from now on into window.__ltLong. */
function watchLongTasks(): void {
  const w = window as unknown as { __ltLong: number[] };
  w.__ltLong = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.__ltLong.push(e.duration);
  }).observe({ type: 'longtask' });
}

const nextFrame = (page: Page) =>
  page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0))));

const countIs = (page: Page, n: number) =>
  page.waitForFunction(
    ({ sel, n }) => document.querySelectorAll(sel).length === n,
    { sel: ITEM, n },
    {
      timeout: 60_000,
    },
  );

const env: Record<string, string> = process.env.LIVETRAIL_STATIC_DIR
  ? { LIVETRAIL_STATIC_DIR: process.env.LIVETRAIL_STATIC_DIR }
  : {};
const server = await startServerProcess({ env });
const browser = await launchBrowser();
try {
  const { api, close } = createLivetrailClient({ url: server.url });
  const ids: string[] = [];
  for (let i = 0; i < N; i += 50) {
    const batch = Array.from({ length: Math.min(50, N - i) }, (_, j) =>
      api.sessions.create.mutate({
        title: `Session ${i + j} · refactor the ${['parser', 'build', 'docs'][(i + j) % 3]}`,
        agent: `agent-${(i + j) % 7}`,
      }),
    );
    for (const s of await Promise.all(batch)) ids.push(s.id);
  }
  const runs: {
    shown: number;
    elements: number;
    search: number;
    clear: number;
    long: number;
    longest: number;
  }[] = [];
  for (let r = 0; r < RUNS; r++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(server.url);
    await countIs(page, N);
    await nextFrame(page);
    const shown = Date.now() - t0;
    const elements = await page.evaluate(() => document.getElementsByTagName('*').length);

    const search = page.locator('[data-testid=session-search]');
    await search.fill('Session 12');
    await nextFrame(page);
    const t1 = Date.now();
    await search.press('3'); // "Session 123": one or two matches
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length <= 2, ITEM);
    await nextFrame(page);
    const searched = Date.now() - t1;
    const t2 = Date.now();
    await search.fill('');
    await countIs(page, N);
    await nextFrame(page);
    const cleared = Date.now() - t2;

    await page.mouse.move(900, 400);
    await page.evaluate(watchLongTasks);
    const end = Date.now() + 5_000;
    while (Date.now() < end) {
      const id = ids[Math.floor(Math.random() * ids.length)]!;
      await api.events.append.mutate({ sessionId: id, events: [{ type: 'thought', text: 'working' }] });
      await new Promise((res) => setTimeout(res, 1000 / RATE));
    }
    await nextFrame(page);
    const long = await page.evaluate(() => (window as unknown as { __ltLong: number[] }).__ltLong);
    runs.push({
      shown,
      elements,
      search: searched,
      clear: cleared,
      long: long.length,
      longest: Math.max(0, ...long),
    });
    await context.close();
  }
  close();
  const best = (k: keyof (typeof runs)[number]) => Math.min(...runs.map((r) => r[k]));
  console.log(machineLine());
  console.log(`${N} sessions, headless Chromium 1280×800, best of ${RUNS}; live: ${RATE} appends/s for 5 s`);
  console.log(
    formatTable(
      ['measure', 'value'],
      [
        ['list shown (navigation → N items painted)', `${best('shown')} ms`],
        ['elements in the page', String(best('elements'))],
        ['search keystroke → painted', `${best('search')} ms`],
        ['clear search (N items back) → painted', `${best('clear')} ms`],
        ['long tasks during live updates', String(best('long'))],
        ['longest task during live updates', `${best('longest').toFixed(0)} ms`],
      ],
    ),
  );
} finally {
  await browser.close();
  await server.dispose();
}
