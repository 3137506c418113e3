import { describe, expect, test } from 'vitest';
import type { LivetrailPage } from '../support/livetrailPage.ts';
import { thoughts, useAppHarness } from './appHarness.ts';

const h = useAppHarness();

const TABS = 8;

async function transports(pages: readonly LivetrailPage[]): Promise<string[]> {
  return Promise.all(pages.map((p) => p.indicatorTransport()));
}

describe('many tabs in chromium', () => {
  test('keeps eight tabs of one origin live, at most two of them on SSE', async () => {
    const id = await h.createSession('eight viewers');
    await h.append(id, thoughts(2));
    const context = await h.newContext();
    const url = new URL(`/sessions/${id}`, h.server.url).href;

    // All at once: the ones without an SSE slot must not queue behind the SSE streams.
    const pages = await Promise.all(
      Array.from({ length: TABS }, async () => {
        const app = await h.newPage(context);
        await app.page.goto(url, { timeout: 15_000 });
        return app;
      }),
    );
    await Promise.all(pages.map((p) => p.waitForIndicator(['connected'])));
    expect((await transports(pages)).filter((t) => t === 'sse').length).toBeLessThanOrEqual(2);

    await h.append(id, thoughts(3, 3));
    for (const p of pages) await h.expectCompleteTimeline(p, id);
    await Promise.all(pages.map((p) => p.waitForIndicator(['connected'])));
    const before = await transports(pages);
    expect(before.filter((t) => t === 'sse').length).toBeLessThanOrEqual(2);

    // A tab holding an SSE slot closes: a tab that was on WebSocket takes the slot over.
    const leader = before.indexOf('sse');
    expect(leader).toBeGreaterThanOrEqual(0);
    await pages[leader]!.page.close();
    const rest = pages.filter((_, i) => i !== leader);
    const onWs = pages.filter((_, i) => before[i] === 'ws');
    await Promise.any(onWs.map((p) => p.waitForIndicator(['connected'], { transport: 'sse' })));
    await h.append(id, thoughts(1, 6));
    for (const p of rest) await h.expectCompleteTimeline(p, id);
    await Promise.all(rest.map((p) => p.waitForIndicator(['connected'])));
    expect((await transports(rest)).filter((t) => t === 'sse').length).toBeLessThanOrEqual(2);
    expect(h.pageErrors).toEqual([]);
  });
});
