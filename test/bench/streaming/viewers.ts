import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sessionPath } from '../../../client/state/sessionRoute.ts';
import { installPaintProbe, installReceiveProbe, type PaintProbe } from './pageProbes.ts';

/** A page following one session, with its paint probe installed. */
export interface Viewer {
  page: Page;
  sessionId: string;
  /** The transport its network indicator named once connected (`sse` / `ws`). */
  transport: string;
}

/** What one viewer received and painted. */
export interface ViewerResult {
  sessionId: string;
  transport: string;
  probe: PaintProbe;
  /** When each delta n arrived on its transport (epoch ms). */
  recvAt: number[];
}

/**
 * Opens `count` pages, two per session in session order (pages 2k and 2k+1 follow session k, the
 * first with the SPA's default transport — SSE while the profile has a free SSE slot — the second
 * with `?transport=ws`; fewer pages than 2 per session leave the last sessions unwatched), in
 * contexts of `pagesPerContext` pages each, one after another; each is ready once its indicator says
 * connected and its session's first row is on screen. Installs the receive and paint probes on each. Use one page per context: in headless Chromium a context's pages are tabs of
 * one window, and only its front tab gets animation frames (the others paint about once a second,
 * though `visibilityState` says visible) — a viewer is a foreground tab.
 */
export async function openViewers(
  browser: Browser,
  opts: { url: string; sessionIds: string[]; count: number; pagesPerContext: number },
): Promise<{ viewers: Viewer[]; contexts: BrowserContext[] }> {
  const viewers: Viewer[] = [];
  const contexts: BrowserContext[] = [];
  for (let i = 0; i < opts.count; i++) {
    if (i % opts.pagesPerContext === 0) {
      contexts.push(await browser.newContext({ viewport: { width: 1280, height: 800 } }));
    }
    const page = await contexts.at(-1)!.newPage();
    // tsx compiles with keepNames: functions serialized into the page call esbuild's `__name`.
    await page.addInitScript('globalThis.__name = (f) => f;');
    await page.addInitScript(installReceiveProbe);
    const sessionId = opts.sessionIds[Math.floor(i / 2) % opts.sessionIds.length]!;
    const search = i % 2 === 1 ? '?transport=ws' : '';
    await page.goto(new URL(sessionPath(sessionId) + search, opts.url).href);
    const indicator = page.locator('[data-testid=network-indicator][data-state=connected]');
    await indicator.waitFor({ timeout: 60_000 });
    await page.locator('[data-testid=timeline-row]').first().waitFor({ timeout: 60_000 });
    await page.evaluate(installPaintProbe);
    viewers.push({ page, sessionId, transport: (await indicator.getAttribute('data-transport')) ?? '?' });
  }
  return { viewers, contexts };
}

/** Every viewer's probe. */
export async function collectViewers(viewers: Viewer[]): Promise<ViewerResult[]> {
  return Promise.all(
    viewers.map(async (v) => ({
      sessionId: v.sessionId,
      transport: v.transport,
      probe: (await v.page.evaluate(() => window.__ltPaint))!,
      recvAt: (await v.page.evaluate(() => window.__ltRecv)) ?? [],
    })),
  );
}
