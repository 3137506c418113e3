/**
 * Does any string stall the tab? Plain numbers, never pass/fail.
 *
 * A server (server/main.ts, own process) holds one session per payload, each a single event of
 * 100 000 characters: capital letters without a space (which once took Chromium 7.3 s to lay out),
 * the same length with spaces (0.5 s then: the baseline), a 100k-character tool output line, and
 * zalgo text. For each, headless Chromium opens the session page and we time:
 *   shown     navigation → the row in the DOM and a frame painted after it (folded)
 *   unfolded  click on "Show all" → the next painted frame (the whole text laid out)
 *   longest   the longest main-thread task in that time (PerformanceObserver 'longtask')
 * Best of R runs (default 3), with the ratio to the spaced text.
 *
 * Run: `npm run bench:hostile [-- --runs 3]` (needs `npm run build` and /usr/bin/chromium). ~1 min.
 */
import { parseArgs } from 'node:util';
import { type AgentEvent, createLivetrailClient } from '@livetrail/client';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../support/launchBrowser.ts';
import { startServerProcess } from '../support/startServerProcess.ts';
import { formatTable } from './append/formatTable.ts';
import { machineLine } from './append/machineLine.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Number(values.runs);
const N = 100_000;

const spaced = Array.from({ length: N / 10 }, (_, i) => `word${String(i % 1000).padStart(4, '0')} `)
  .join('')
  .slice(0, N);
const PAYLOADS: [string, AgentEvent[]][] = [
  ['message, 100k spaced (baseline)', [{ type: 'assistant_message', text: spaced }]],
  ['message, 100k capitals, no spaces', [{ type: 'assistant_message', text: 'A'.repeat(N) }]],
  ['message, zalgo (100k)', [{ type: 'assistant_message', text: `Z${'\u0336\u0337\u0489'.repeat(N / 3)}` }]],
  [
    'tool output, one 100k line',
    [
      { type: 'tool_call', callId: 'c1', tool: 'bash', args: { cmd: 'cat big' } },
      { type: 'tool_result', callId: 'c1', tool: 'bash', ok: true, output: 'B'.repeat(N) },
    ],
  ],
];

/** Runs in the page: records the longest task from now on into window.__ltLongest. */
function watchLongTasks(): void {
  const w = window as unknown as { __ltLongest: number };
  w.__ltLongest = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.__ltLongest = Math.max(w.__ltLongest, e.duration);
  }).observe({ type: 'longtask', buffered: true });
}

const nextFrame = (page: Page) =>
  page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0))));

async function measure(page: Page, url: string, lastSeq: number) {
  const started = Date.now();
  await page.goto(url);
  await page.evaluate(watchLongTasks);
  await page.locator(`[data-testid=timeline-row][data-seq="${lastSeq}"]`).waitFor({ timeout: 60_000 });
  await nextFrame(page);
  const shown = Date.now() - started;
  const toggle = page.locator('[data-testid=fold-toggle]').first();
  let unfolded = Number.NaN;
  if ((await toggle.count()) > 0) {
    const t0 = Date.now();
    await toggle.click();
    await nextFrame(page);
    unfolded = Date.now() - t0;
  }
  const longest = await page.evaluate(() => (window as unknown as { __ltLongest: number }).__ltLongest);
  return { shown, unfolded, longest };
}

const server = await startServerProcess();
const browser = await launchBrowser();
try {
  const { api, close } = createLivetrailClient({ url: server.url });
  const sessions: { name: string; id: string; last: number }[] = [];
  for (const [name, events] of PAYLOADS) {
    const { id } = await api.sessions.create.mutate({ title: name });
    const { seqs } = await api.events.append.mutate({ sessionId: id, events });
    sessions.push({ name, id, last: events[0]!.type === 'tool_call' ? seqs[0]! : seqs.at(-1)! });
  }
  close();
  const best = new Map<string, { shown: number; unfolded: number; longest: number }>();
  for (let r = 0; r < RUNS; r++)
    for (const s of sessions) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const m = await measure(page, `${server.url}/sessions/${s.id}`, s.last);
      await context.close();
      const b = best.get(s.name);
      best.set(
        s.name,
        b
          ? {
              shown: Math.min(b.shown, m.shown),
              unfolded: Math.min(b.unfolded, m.unfolded),
              longest: Math.min(b.longest, m.longest),
            }
          : m,
      );
    }
  const base = best.get(PAYLOADS[0]![0])!;
  const ms = (x: number) => (Number.isNaN(x) ? '–' : x.toFixed(0));
  const ratio = (x: number, y: number) =>
    Number.isNaN(x) || Number.isNaN(y) ? '–' : `${(x / y).toFixed(2)}×`;
  console.log(machineLine());
  console.log(`one event of ${N.toLocaleString('en')} characters per session, best of ${RUNS}`);
  console.log(
    formatTable(
      ['payload', 'shown ms', 'vs spaced', 'unfolded ms', 'vs spaced', 'longest task ms'],
      [...best].map(([name, m]) => [
        name,
        ms(m.shown),
        ratio(m.shown, base.shown),
        ms(m.unfolded),
        ratio(m.unfolded, base.unfolded),
        ms(m.longest),
      ]),
    ),
  );
} finally {
  await browser.close();
  await server.dispose();
}
