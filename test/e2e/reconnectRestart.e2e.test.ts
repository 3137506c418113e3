import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { SEL } from '../support/livetrailPage.ts';
import { REPO_ROOT } from '../support/repoRoot.ts';
import { thoughts, useAppHarness } from './appHarness.ts';

// The build under test: LIVETRAIL_STATIC_DIR when given (a build of your own), else dist/client.
const h = useAppHarness({
  env: { LIVETRAIL_STATIC_DIR: process.env.LIVETRAIL_STATIC_DIR ?? join(REPO_ROOT, 'dist/client') },
});

declare global {
  interface Window {
    /** Every tooltip the network indicator has shown since the recorder was installed. */
    __ltIndicatorTitles?: string[];
  }
}

/** Runs in the page: records every `title` of the indicator. Self-contained (serialized into it). */
function installTitleRecorder(sel: string): void {
  const seen: string[] = [];
  window.__ltIndicatorTitles = seen;
  const note = () => {
    const title = document.querySelector(sel)?.getAttribute('title');
    if (title && seen.at(-1) !== title) seen.push(title);
  };
  note();
  new MutationObserver(note).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['title'],
  });
}

describe('a server restart in chromium', () => {
  test.each(['SIGTERM', 'SIGKILL'] as const)(
    'after %s the page is live again by itself, says why it waited, and sends what was typed meanwhile once',
    async (signal) => {
      const id = await h.createSession(`restart (${signal})`);
      await h.append(id, thoughts(2));
      const app = await h.open(`/sessions/${id}`);
      await app.waitForIndicator(['connected']);
      await h.expectCompleteTimeline(app, id);
      await app.page.evaluate(installTitleRecorder, SEL.indicator);
      await app.recordIndicatorStates();

      await h.server.stop(signal);
      await app.waitForIndicator(['reconnecting']);
      // The server is down: the indicator waits for it rather than counting down.
      await app.page
        .locator('[data-testid=network-label]', { hasText: 'Waiting for the server' })
        .waitFor({ timeout: 15_000 });

      // Typed and sent while the server is down: it waits in the box (after the write's own retries).
      const text = `typed while the server was down (${signal})`;
      await app.page.locator(SEL.composerInput).fill(text);
      await app.page.locator(SEL.composerInput).press('Enter');
      await app.page
        .locator('[data-testid=composer-waiting]', { hasText: 'Will send when reconnected' })
        .waitFor({ timeout: 20_000 });
      expect(await app.page.locator('[data-testid=composer-error]').count()).toBe(0);

      await h.server.restart();
      // No click on Retry now: correctness, not timing (bench:restart measures how fast).
      await app.waitForIndicator(['connected'], { timeoutMs: 10_000 });
      await h.append(id, thoughts(1, 3));

      // The message is stored exactly once and shown; the composer is empty and calm again.
      await app.page.locator('[data-testid=composer-waiting]').waitFor({ state: 'detached' });
      expect(await app.page.locator(SEL.composerInput).inputValue()).toBe('');
      expect(await app.page.locator('[data-testid=composer-error]').count()).toBe(0);
      const { events } = await h.producer.api.events.list.query({ sessionId: id });
      expect(events.filter((e) => e.type === 'user_message' && e.text === text)).toHaveLength(1);
      const seqs = await h.expectCompleteTimeline(app, id);
      expect(new Set(seqs).size).toBe(seqs.length);

      const titles = await app.page.evaluate(() => window.__ltIndicatorTitles ?? []);
      expect(titles.some((t) => t.startsWith('Last error: server unreachable'))).toBe(true);
      expect(titles.filter((t) => /unknown error/i.test(t))).toEqual([]);
      expect(await app.indicatorStatesSeen()).toContain('reconnecting');
      expect(h.pageErrors).toEqual([]);
    },
  );
});
