import type { Page } from 'playwright-core';
import type { IndicatorState } from '../../client/state/indicatorLabel.ts';

/** Selectors the SPA exposes for tests. */
export const SEL = {
  sessionItem: '[data-testid=session-item]',
  timeline: '[data-testid=timeline]',
  row: '[data-testid=timeline-row]',
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
  const rowSeqs = () =>
    page.locator(SEL.row).evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq'))));
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

    /** The `data-type` of every timeline row, in DOM order. */
    rowTypes: () =>
      page.locator(SEL.row).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type') ?? '')),

    /** The row showing event `seq`. */
    row: (seq: number) => page.locator(`${SEL.row}[data-seq="${seq}"]`),

    /** Waits until the timeline has a row for every one of `seqs` (more may be there too). */
    waitForRows: (seqs: readonly number[]) =>
      withContext(
        async () => `timeline rows ${JSON.stringify(await rowSeqs())}, waited for ${JSON.stringify(seqs)}`,
        () =>
          page.waitForFunction(
            ({ sel, want }) => {
              const have = new Set(
                [...document.querySelectorAll(sel)].map((r) => Number(r.getAttribute('data-seq'))),
              );
              return want.every((s) => have.has(s));
            },
            { sel: SEL.row, want: [...seqs] },
            { timeout: WAIT_MS },
          ),
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
