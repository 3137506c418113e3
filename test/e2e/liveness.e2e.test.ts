import { describe, expect, test } from 'vitest';
import { thoughts, useAppHarness } from './appHarness.ts';

const h = useAppHarness();

describe('staying live in chromium', () => {
  test('says offline while the network is gone, then resumes without gaps or duplicates', async () => {
    const id = await h.createSession('goes offline');
    await h.append(id, thoughts(3));
    const context = await h.newContext();
    const app = await h.open(`/sessions/${id}`, { context });
    await app.waitForIndicator(['connected']);
    await h.expectCompleteTimeline(app, id);

    await context.setOffline(true);
    await app.waitForIndicator(['offline']);
    expect(await app.page.locator('.network-label').textContent()).toBe(
      'Offline — will reconnect when the network is back',
    );
    await h.append(id, thoughts(3, 4));
    await context.setOffline(false);

    await app.waitForIndicator(['connected']);
    await h.append(id, thoughts(1, 7));
    const seqs = await h.expectCompleteTimeline(app, id);
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(h.pageErrors).toEqual([]);
  });

  test('shows catching up while a long trail backfills, then connected with every row', async () => {
    const id = await h.createSession('a long trail');
    await h.append(id, [
      ...thoughts(1000),
      { type: 'tool_call', callId: 'c1', tool: 'grep', args: { pattern: 'x' } },
      { type: 'tool_result', callId: 'c1', tool: 'grep', ok: true, output: 'none' },
      { type: 'cost', usd: 0.5, inputTokens: 10, outputTokens: 10 },
      ...thoughts(1997, 1001),
    ]);
    const context = await h.newContext();
    const app = await h.newPage(context);
    await app.recordIndicatorStatesFromLoad();
    await app.page.goto(new URL(`/sessions/${id}`, h.server.url).href);

    const want = await h.expectedRows(id);
    expect(want).toHaveLength(2998);
    await app.waitForRows(want);
    await app.waitForIndicator(['connected']);
    expect(await app.rowSeqs()).toEqual(want);
    const seen = await app.indicatorStatesSeen();
    expect(seen).toContain('catching_up');
    expect(seen.indexOf('catching_up')).toBeLessThan(seen.lastIndexOf('connected'));
    expect(seen.at(-1)).toBe('connected');
    expect(h.pageErrors).toEqual([]);
  });
});
