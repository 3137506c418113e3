import type { Page } from 'playwright-core';
import type { IndicatorState } from '../../client/state/indicatorLabel.ts';

/** Selectors the SPA exposes for tests. */
export const SEL = {
  sessionItem: '[data-testid=session-item]',
  timeline: '[data-testid=timeline]',
  row: '[data-testid=timeline-row]',
  daySeparator: '[data-testid=day-separator]',
  jumpToNew: '[data-testid=jump-to-new]',
  announcer: '[data-testid=timeline-announcer]',
  indicator: '[data-testid=network-indicator]',
  composerInput: '[data-testid=composer-input]',
  composerSend: '[data-testid=composer-send]',
  callStatus: '[data-testid=call-status]',
  completionBanner: '[data-testid=completion-banner]',
} as const;

const WAIT_MS = 15_000;

declare global {
  interface Window {
    /** Every `data-state` the network indicator has shown since `recordIndicatorStates()`. */
    __ltIndicatorStates?: string[];
  }
}

/**
 * Runs in the page: records every `data-state` the indicator shows into `window.__ltIndicatorStates`.
 * A MutationObserver with old values, so states that last less than a poll (or change twice before
 * the observer runs) are not missed. Self-contained: it is serialized into the page.
 */
function installIndicatorRecorder(sel: string): void {
  const seen: string[] = [];
  window.__ltIndicatorStates = seen;
  const note = (state: string | null | undefined) => {
    if (state && seen.at(-1) !== state) seen.push(state);
  };
  const current = () => document.querySelector(sel)?.getAttribute('data-state');
  note(current());
  new MutationObserver((records) => {
    for (const r of records) if (r.type === 'attributes') note(r.oldValue);
    note(current());
  }).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['data-state'],
    attributeOldValue: true,
  });
}

/** One rendered item of the timeline, as `collectTimeline` reads it. */
interface CollectedRow {
  seq: number;
  type: string;
}

/**
 * Runs in the page: the timeline is virtual (only the rows near the view are in the DOM), so this
 * scrolls it from the top to the bottom, a window at a time, reading every rendered item by its
 * `data-index`; then puts the scroll back (at the bottom again if it was there, so following goes
 * on). `complete` is false when some index was never seen (the list moved under the walk).
 * Self-contained: it is serialized into the page.
 */
async function collectTimeline(sel: { timeline: string; row: string }): Promise<{
  rows: CollectedRow[];
  complete: boolean;
}> {
  const tl = document.querySelector<HTMLElement>(sel.timeline);
  if (!tl) return { rows: [], complete: true };
  // Rendering may be throttled (a background tab): never wait on a frame alone.
  const frame = () =>
    new Promise<void>((resolve) => {
      requestAnimationFrame(() => resolve());
      setTimeout(resolve, 100);
    });
  const atBottom = () => tl.scrollHeight - tl.scrollTop - tl.clientHeight <= 2;
  const wasAtBottom = atBottom();
  const startTop = tl.scrollTop;
  const byIndex = new Map<number, CollectedRow | null>();
  const read = () => {
    let bottom = 0;
    const box = tl.getBoundingClientRect();
    for (const el of tl.querySelectorAll<HTMLElement>('[data-index]')) {
      const index = Number(el.dataset.index);
      byIndex.set(
        index,
        el.matches(sel.row) ? { seq: Number(el.dataset.seq), type: el.dataset.type ?? '' } : null,
      );
      bottom = Math.max(bottom, el.getBoundingClientRect().bottom - box.top + tl.scrollTop);
    }
    return bottom;
  };
  tl.scrollTop = 0;
  await frame();
  for (let steps = 0; steps < 10_000; steps++) {
    const bottom = read();
    if (atBottom()) break;
    // Next window: from the end of what is rendered (overscan included), at least one viewport on.
    tl.scrollTop = Math.max(tl.scrollTop + tl.clientHeight, bottom - 1);
    await frame();
  }
  read();
  if (wasAtBottom) {
    for (let i = 0; i < 5 && !atBottom(); i++) {
      tl.scrollTop = tl.scrollHeight;
      await frame();
    }
  } else {
    tl.scrollTop = startTop;
  }
  const indexes = [...byIndex.keys()].sort((a, b) => a - b);
  const complete = indexes.every((index, i) => index === i);
  const rows = indexes.flatMap((index) => {
    const row = byIndex.get(index);
    return row ? [row] : [];
  });
  return { rows, complete };
}

async function withContext<T>(what: () => Promise<string>, wait: () => Promise<T>): Promise<T> {
  try {
    return await wait();
  } catch (err) {
    throw new Error(`${(err as Error).message.split('\n')[0]} — ${await what().catch(() => '(page gone)')}`);
  }
}

/**
 * Reads and waits on the livetrail SPA through its `data-testid` hooks. Waits poll in the page (no
 * fixed sleeps) and, on timeout, say what the page showed instead.
 */
export function livetrailPage(page: Page) {
  const collect = async () => {
    // A walk that missed an index (the list moved under it) is taken again, a few times at most.
    for (let attempt = 1; ; attempt++) {
      const walk = await page.evaluate(collectTimeline, { timeline: SEL.timeline, row: SEL.row });
      if (walk.complete || attempt === 3) return walk;
    }
  };
  /** Every row's seq, in order: the whole trail, not only the rows the virtual list has in the DOM. */
  const rowSeqs = async () => (await collect()).rows.map((r) => r.seq);
  const indicatorState = () =>
    page.evaluate(
      (sel) => document.querySelector(sel)?.getAttribute('data-state') ?? '(no indicator)',
      SEL.indicator,
    );

  const indicatorTransport = () =>
    page.evaluate(
      (sel) => document.querySelector(sel)?.getAttribute('data-transport') ?? '(no indicator)',
      SEL.indicator,
    );

  return {
    page,
    rowSeqs,
    indicatorState,
    /** The indicator's `data-transport` (sse|ws). */
    indicatorTransport,

    /** The `data-type` of every timeline row, in order (the whole trail, like `rowSeqs`). */
    rowTypes: async () => (await collect()).rows.map((r) => r.type),

    /** The row showing event `seq` (in the DOM only while it is in or near the view). */
    row: (seq: number) => page.locator(`${SEL.row}[data-seq="${seq}"]`),

    /**
     * Waits until the timeline has a row for every one of `seqs` (more may be there too): first,
     * cheaply, until the newest of them is rendered (a timeline following its bottom shows it) or
     * the viewer is scrolled up ("↓ N new"); then walks the whole list until every one is there.
     */
    waitForRows: (seqs: readonly number[]) =>
      withContext(
        async () => `timeline rows ${JSON.stringify(await rowSeqs())}, waited for ${JSON.stringify(seqs)}`,
        async () => {
          const deadline = Date.now() + WAIT_MS;
          if (seqs.length === 0) return;
          await page.waitForFunction(
            ({ row, jump, newest }) =>
              document.querySelector(`${row}[data-seq="${newest}"]`) !== null ||
              document.querySelector(jump) !== null,
            { row: SEL.row, jump: SEL.jumpToNew, newest: Math.max(...seqs) },
            { timeout: WAIT_MS },
          );
          for (;;) {
            const have = new Set(await rowSeqs());
            if (seqs.every((s) => have.has(s))) return;
            if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_MS} ms`);
            await page.waitForTimeout(100);
          }
        },
      ),

    /**
     * Waits until the network indicator's `data-state` is one of `states` (over `transport`, when
     * given); returns `data-transport`.
     */
    waitForIndicator: (
      states: readonly IndicatorState[],
      opts: { transport?: 'sse' | 'ws'; timeoutMs?: number } = {},
    ) => {
      const want = `${states.join('|')}${opts.transport ? ` over ${opts.transport}` : ''}`;
      return withContext(
        async () =>
          `indicator is ${await indicatorState()} over ${await indicatorTransport()}, waited for ${want}`,
        async () => {
          const handle = await page.waitForFunction(
            ({ sel, states, transport }) => {
              const el = document.querySelector(sel);
              const have = el?.getAttribute('data-transport') ?? '';
              const ok =
                states.includes(el?.getAttribute('data-state') ?? '') && (!transport || have === transport);
              return ok ? have : false;
            },
            { sel: SEL.indicator, states: [...states] as string[], transport: opts.transport },
            { timeout: opts.timeoutMs ?? WAIT_MS },
          );
          return (await handle.jsonValue()) as string;
        },
      );
    },

    /**
     * Starts recording every state the indicator shows (short-lived ones too); read them back with
     * `waitForIndicatorSeen` or `indicatorStatesSeen`.
     */
    recordIndicatorStates: () => page.evaluate(installIndicatorRecorder, SEL.indicator),

    /** Records the indicator's states from the next page load on (before the app's first render). */
    recordIndicatorStatesFromLoad: () => page.addInitScript(installIndicatorRecorder, SEL.indicator),

    /** Every state recorded so far, in order. */
    indicatorStatesSeen: () => page.evaluate(() => window.__ltIndicatorStates ?? []),

    /** Waits until the indicator has shown one of `states` since `recordIndicatorStates()`. */
    waitForIndicatorSeen: (states: readonly IndicatorState[]) =>
      withContext(
        async () =>
          `indicator showed ${JSON.stringify(await page.evaluate(() => window.__ltIndicatorStates))}, waited for ${states.join('|')}`,
        () =>
          page.waitForFunction(
            (want) => (window.__ltIndicatorStates ?? []).some((s) => want.includes(s)),
            [...states] as string[],
            { timeout: WAIT_MS },
          ),
      ),

    /** Waits until the call-status bar shows `usd` as a dollar amount (`$1.25`, `1.25 USD`, `$1.2500`). */
    waitForCostUsd: (usd: number) =>
      withContext(
        async () => `call-status says ${JSON.stringify(await page.locator(SEL.callStatus).textContent())}`,
        () =>
          page.waitForFunction(
            ({ sel, want }) => {
              const text = document.querySelector(sel)?.textContent ?? '';
              const amounts = [
                ...text.matchAll(/\$\s*(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)\s*USD/gi),
              ].map((m) => Number((m[1] ?? m[2] ?? '').replace(/,/g, '')));
              return amounts.some((a) => Math.abs(a - want) < 0.005);
            },
            { sel: SEL.callStatus, want: usd },
            { timeout: WAIT_MS },
          ),
      ),
  };
}

/** The page object `livetrailPage` returns. */
export type LivetrailPage = ReturnType<typeof livetrailPage>;
