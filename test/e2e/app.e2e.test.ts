import { beforeEach, describe, expect, test } from 'vitest';
import type { AgentEvent } from '../../shared/agentEvent.ts';
import { type LivetrailPage, SEL } from '../support/livetrailPage.ts';
import { screenshotPath, useAppHarness } from './appHarness.ts';

const XSS = '<img src=x onerror="window.__pwned=1">';

declare global {
  interface Window {
    __pwned?: unknown;
    __notReloaded?: boolean;
  }
}

const h = useAppHarness();
/** Uncaught exceptions in the page: the SPA must not throw, even while the server restarts. */
let pageErrors: string[] = [];

beforeEach(async () => {
  pageErrors = h.pageErrors;
});

/** Opens `path` of the app in a fresh browser context. */
async function open(path: string, options: { bypassCSP?: boolean } = {}): Promise<LivetrailPage> {
  return h.open(path, { context: await h.newContext(options) });
}

const createSession = (title: string) => h.createSession(title);
const append = (sessionId: string, events: AgentEvent[]) => h.append(sessionId, events);
const expectCompleteTimeline = (app: LivetrailPage, sessionId: string) =>
  h.expectCompleteTimeline(app, sessionId);

describe('livetrail in chromium', () => {
  test('streams events appended after page load into the opened session, in seq order, with the cost total', async () => {
    const id = await createSession('streams live events');
    await append(id, [
      { type: 'user_message', text: 'list the files' },
      { type: 'state', agentState: 'thinking', llmCallsInFlight: 1, toolCallsInFlight: 0 },
      { type: 'cost', usd: 0.25, inputTokens: 1200, outputTokens: 80 },
      { type: 'assistant_message', text: 'looking at the repository' },
    ]);

    const app = await open('/');
    const item = app.page.locator(`${SEL.sessionItem}[data-session-id="${id}"]`);
    await item.waitFor();
    expect(await item.textContent()).toContain('streams live events');
    expect(await item.getAttribute('data-status')).toBe('running');
    await item.click();
    await app.page.waitForURL(`**/sessions/${id}`);
    await expectCompleteTimeline(app, id);
    await app.waitForCostUsd(0.25);

    await app.page.evaluate(() => {
      window.__notReloaded = true;
    });
    await append(id, [
      { type: 'state', agentState: 'calling_tool', llmCallsInFlight: 0, toolCallsInFlight: 1 },
      { type: 'tool_call', callId: 'call-1', tool: 'list_files', args: { path: '.' } },
    ]);
    await append(id, [
      { type: 'tool_result', callId: 'call-1', tool: 'list_files', ok: true, output: ['README.md'] },
      { type: 'thought', text: 'one file; summarise it' },
      { type: 'cost', usd: 1, inputTokens: 3000, outputTokens: 200 },
      { type: 'assistant_message', text: 'the repository holds a README' },
    ]);
    await expectCompleteTimeline(app, id);
    await app.waitForCostUsd(1.25);

    expect(await app.page.evaluate(() => window.__notReloaded)).toBe(true);
    expect(await app.rowTypes()).toEqual([
      'user_message',
      'assistant_message',
      'tool_call',
      'thought',
      'assistant_message',
    ]);
    expect(await app.row(6).textContent()).toContain('list_files');
    expect(pageErrors).toEqual([]);
  });

  test('shows a message sent through the composer exactly once as a user_message row', async () => {
    const id = await createSession('composer');
    await append(id, [{ type: 'assistant_message', text: 'what next?' }]);
    const app = await open(`/sessions/${id}`);
    await expectCompleteTimeline(app, id);

    const text = `run the tests please ${Date.now()}`;
    await app.page.locator(SEL.composerInput).fill(text);
    await app.page.locator(SEL.composerSend).click();
    const sent = app.page.locator(`${SEL.row}[data-type=user_message]`, { hasText: text });
    await sent.first().waitFor();

    // The stream is ordered: once a later event's row is there, every copy of the message has arrived.
    const [marker] = await append(id, [{ type: 'assistant_message', text: 'on it' }]);
    await app.row(marker!).waitFor();
    expect(await sent.count()).toBe(1);
    const { events } = await h.producer.api.events.list.query({ sessionId: id });
    expect(events.filter((e) => e.type === 'user_message' && e.text === text)).toHaveLength(1);
    await expectCompleteTimeline(app, id);
    expect(pageErrors).toEqual([]);
  });

  test.each(['sse', 'ws'] as const)(
    'reconnects over %s after a server restart and shows every event once, without gaps',
    async (transport) => {
      const id = await createSession(`survives a restart (${transport})`);
      await append(id, [
        { type: 'user_message', text: 'before the restart' },
        { type: 'assistant_message', text: 'still before' },
      ]);
      const app = await open(`/sessions/${id}?transport=${transport}`);
      expect(await app.waitForIndicator(['connected'])).toBe(transport);
      await expectCompleteTimeline(app, id);

      await app.recordIndicatorStates();
      await h.server.stop();
      await app.waitForIndicatorSeen(['reconnecting', 'connecting']);
      await app.waitForIndicator(['reconnecting'], { transport });
      await app.page.screenshot({ path: screenshotPath(`reconnecting over ${transport}`) });
      await h.server.restart();
      // Appended before the page is back: it must catch up from its last seq, not skip these.
      await append(id, [
        { type: 'tool_call', callId: 'call-r', tool: 'grep', args: { pattern: 'restart' } },
        { type: 'tool_result', callId: 'call-r', tool: 'grep', ok: true, output: 'no matches' },
        { type: 'cost', usd: 0.5, inputTokens: 10, outputTokens: 10 },
      ]);
      await app.waitForIndicator(['connected']);
      await append(id, [{ type: 'assistant_message', text: 'after the restart' }]);

      const seqs = await expectCompleteTimeline(app, id);
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(seqs).toEqual([1, 2, 3, 6]);
      await app.page.locator(`${SEL.sessionItem}[data-session-id="${id}"]`).waitFor();
      expect(pageErrors).toEqual([]);
    },
  );

  test('renders untrusted event text as text, never as html', async () => {
    const id = await createSession(`title ${XSS}`);
    await append(id, [
      { type: 'user_message', text: XSS },
      { type: 'assistant_message', text: XSS },
      { type: 'thought', text: XSS },
      { type: 'tool_call', callId: 'call-x', tool: 'fetch', args: { html: XSS } },
      { type: 'tool_result', callId: 'call-x', tool: 'fetch', ok: true, output: XSS },
      { type: 'error', message: XSS },
    ]);
    // The page's CSP would block the inline handler anyway; bypass it so this tests the rendering itself.
    const app = await open(`/sessions/${id}`, { bypassCSP: true });
    await expectCompleteTimeline(app, id);

    expect(await app.row(2).textContent()).toContain(XSS);
    expect(await app.page.locator(`${SEL.sessionItem}[data-session-id="${id}"]`).textContent()).toContain(
      XSS,
    );
    expect(await app.page.locator(`${SEL.timeline} img`).count()).toBe(0);
    expect(await app.page.locator('img[src="x"]').count()).toBe(0);
    expect(await app.page.evaluate(() => window.__pwned)).toBeUndefined();
    expect(pageErrors).toEqual([]);
  });
});
