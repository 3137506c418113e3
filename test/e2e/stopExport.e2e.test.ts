import { readFile } from 'node:fs/promises';
import { describe, expect, test, vi } from 'vitest';
import type { StoredEvent } from '../../shared/agentEvent.ts';
import type { ConnectionManager } from '../../shared/connection/createConnectionManager.ts';
import { followSession } from '../../shared/connection/followSession.ts';
import { nodeTransports } from '../../shared/nodeTransports.ts';
import { SEL } from '../support/livetrailPage.ts';
import { thoughts, useAppHarness } from './appHarness.ts';

const h = useAppHarness();

const STOP = '[data-testid=stop-session]';
const BADGE = '.session-head .badge';

/** Every event the server holds for the session, in seq order. */
async function storedEvents(sessionId: string): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for (;;) {
    const page = await h.producer.api.events.list.query({
      sessionId,
      after: all.at(-1)?.seq ?? 0,
      limit: 1000,
    });
    all.push(...page.events);
    if (!page.hasMore) return all;
  }
}

describe('stop and export in chromium', () => {
  test('Stop → the interrupt row → an agent using onInterrupt completes cancelled → Stop is gone', async () => {
    const id = await h.createSession('stop me');
    await h.append(id, [{ type: 'thought', text: 'working on it' }]);
    // A tiny agent: it learns of the Stop through followSession's onInterrupt and ends as asked.
    const interrupted: number[] = [];
    let agent: ConnectionManager | undefined;
    agent = followSession({
      url: h.server.url,
      sessionId: id,
      ...nodeTransports,
      onEvent: () => {},
      onInterrupt: (event) => {
        interrupted.push(event.seq);
        void h.producer.api.sessions.complete.mutate({
          sessionId: id,
          status: 'cancelled',
          summary: 'Stopped by a person.',
        });
      },
      onEnd: () => agent?.close(),
    });
    try {
      const app = await h.open(`/sessions/${id}`);
      await app.row(1).waitFor();
      expect(await app.page.locator(BADGE).textContent()).toBe('running');
      const stop = app.page.locator(STOP);
      expect(await stop.textContent()).toBe('Stop');
      await stop.click();

      const row = app.page.locator(`${SEL.row}[data-type=interrupt]`);
      await row.waitFor();
      expect(await row.locator('[data-testid=interrupt-row] .interrupt-label').textContent()).toBe(
        'Stopped by a person',
      );
      expect(await row.locator('.interrupt-time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
      await app.page.locator(`${SEL.completionBanner}[data-status=cancelled]`).waitFor();
      await vi.waitFor(async () => expect(await app.page.locator(BADGE).textContent()).toBe('cancelled'));
      expect(await app.page.locator(STOP).count()).toBe(0);
      expect(interrupted).toEqual([2]);
      const types = (await storedEvents(id)).map((e) => e.type);
      expect(types).toEqual(['thought', 'interrupt', 'complete']);
    } finally {
      agent.close();
    }
  });

  test('Export downloads every stored event as NDJSON in seq order; a row shows its raw JSON', async () => {
    const id = await h.createSession('export me');
    await h.append(id, [
      ...thoughts(1200),
      { type: 'message_start', messageId: 'm1', role: 'assistant' },
      { type: 'message_delta', messageId: 'm1', text: 'Hel' },
      { type: 'message_delta', messageId: 'm1', text: 'lo' },
      { type: 'message_end', messageId: 'm1' },
      { type: 'tool_call', callId: 'c1', tool: 'bash', args: { cmd: '<b>ls</b>' } },
    ]);
    const app = await h.open(`/sessions/${id}`);
    // The page follows the bottom: the last row, not the first (the first may never be on screen
    // when the backfill arrives in a few batches).
    await app.row(1205).waitFor();

    const [download] = await Promise.all([
      app.page.waitForEvent('download'),
      app.page.locator('[data-testid=export-session]').click(),
    ]);
    expect(download.suggestedFilename()).toBe(`livetrail-${id}.ndjson`);
    const text = await readFile((await download.path())!, 'utf8');
    const stored = await storedEvents(id);
    expect(stored).toHaveLength(1205);
    expect(text).toBe(stored.map((e) => `${JSON.stringify(e)}\n`).join(''));

    // The view follows the bottom: the tool call's row (the last) is in the virtual window.
    const last = app.row(1205);
    await last.locator('[data-testid=raw-event]').click();
    const shown = await last.locator('[data-testid=raw-event-json] pre').textContent();
    expect(JSON.parse(shown!)).toEqual(stored.at(-1));
    expect(await last.locator('[data-testid=raw-event-json] pre b').count()).toBe(0);
    expect(await last.locator('[data-testid=raw-event]').getAttribute('aria-pressed')).toBe('true');
  });
});
