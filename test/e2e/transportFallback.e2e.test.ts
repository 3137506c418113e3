import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { type ChaosProxy, createChaosProxy } from '../support/createChaosProxy.ts';
import { thoughts, useAppHarness } from './appHarness.ts';

// Pages come through a proxy on another port: the server must accept its Host.
const h = useAppHarness({ env: { LIVETRAIL_ALLOWED_HOSTS: '127.0.0.1' } });
let proxy: ChaosProxy | undefined;

beforeEach(async () => {
  proxy = await createChaosProxy(h.server.port);
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

// Two SSE attempts fail (at most the 6 s connect watchdog each, plus backoff) before the fallback.
const FALLBACK_MS = 30_000;

describe('transport fallback in chromium', () => {
  test.each([
    ['the SSE route answers 502', 'failSse'],
    ['a proxy buffers the SSE stream', 'stallSse'],
  ] as const)('falls back to WebSocket when %s, and keeps streaming', async (_why, fault) => {
    proxy!.settings[fault] = true;
    const id = await h.createSession(`fallback (${fault})`);
    await h.append(id, thoughts(3));

    const app = await h.open(`/sessions/${id}`, { base: proxy!.url });
    await app.waitForIndicator(['connected'], { transport: 'ws', timeoutMs: FALLBACK_MS });
    expect(await app.page.locator('.network-transport').textContent()).toBe('WebSocket');
    await h.expectCompleteTimeline(app, id);

    await h.append(id, thoughts(2, 4));
    const seqs = await h.expectCompleteTimeline(app, id);
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    expect(await app.indicatorTransport()).toBe('ws');
    expect(h.pageErrors).toEqual([]);
  });
});
