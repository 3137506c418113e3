import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { SEL } from '../support/livetrailPage.ts';
import { useAppHarness } from './appHarness.ts';

// A build of the SPA other than dist/client (see the README's Tests section) is served when named.
const h = useAppHarness({
  env: process.env.LIVETRAIL_STATIC_DIR ? { LIVETRAIL_STATIC_DIR: process.env.LIVETRAIL_STATIC_DIR } : {},
});

const item = (id: string) => `${SEL.sessionItem}[data-session-id="${id}"]`;

/** The ids of the list's items, top to bottom. */
function listOrder(page: Page): Promise<string[]> {
  return page.$$eval(SEL.sessionItem, (els) => els.map((el) => el.getAttribute('data-session-id') ?? ''));
}

/** Creates sessions (the last one created is the most recently active) and returns their ids. */
async function createSessions(titles: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const title of titles) ids.push(await h.createSession(title));
  return ids;
}

/** The WCAG relative luminance of a computed `rgb(r, g, b)` colour. */
function luminanceOf(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

const pageBackground = (page: Page) =>
  page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);

describe('the session list in chromium', () => {
  test('the search box filters the list by title and agent', async () => {
    const [build, cafe] = await createSessions(['Fix the build', 'Café menu', 'Deploy to staging']);
    const app = await h.open('/');
    await app.page.locator(item(build!)).waitFor();
    await app.page.fill('[data-testid=session-search]', 'cafe');
    await app.page.waitForFunction((sel) => document.querySelectorAll(sel).length === 1, SEL.sessionItem);
    expect(await listOrder(app.page)).toEqual([cafe]);
    await app.page.fill('[data-testid=session-search]', 'E2E-AGENT');
    await app.page.waitForFunction((sel) => document.querySelectorAll(sel).length === 3, SEL.sessionItem);
  });

  test('the item under the pointer stays put while another session gets events; the list re-sorts when the pointer leaves', async () => {
    const ids = await createSessions(['one', 'two', 'three', 'four']);
    const [oldest, , , newest] = ids as [string, string, string, string];
    const app = await h.open('/');
    await app.page.locator(item(oldest)).waitFor();
    const before = await listOrder(app.page);
    expect(before[0]).toBe(newest);
    expect(before.at(-1)).toBe(oldest);

    const hovered = app.page.locator(item(before[1]!));
    await hovered.hover();
    const box = await hovered.boundingBox();
    await h.append(oldest, [{ type: 'thought', text: 'busy' }]);
    // The event has arrived (the oldest session is marked), and nothing moved.
    await app.page.locator(`${item(oldest)} [data-testid=activity-marker]`).waitFor();
    expect(await listOrder(app.page)).toEqual(before);
    expect(await hovered.boundingBox()).toEqual(box);

    await app.page.mouse.move(900, 400);
    await app.page.waitForFunction(
      ({ sel, id }) => document.querySelector(sel)?.getAttribute('data-session-id') === id,
      { sel: SEL.sessionItem, id: oldest },
    );
    expect(await app.page.locator('[data-testid=activity-marker]').count()).toBe(0);

    // A click focuses the item, but only keyboard focus holds the order once the pointer has gone.
    const [, second] = await listOrder(app.page);
    await app.page.locator(item(second!)).click();
    await app.page.mouse.move(900, 400);
    const last = (await listOrder(app.page)).at(-1)!;
    await h.append(last, [{ type: 'thought', text: 'busy again' }]);
    await app.page.waitForFunction(
      ({ sel, id }) => document.querySelector(sel)?.getAttribute('data-session-id') === id,
      { sel: SEL.sessionItem, id: last },
    );
  });

  test('the tab title counts the sessions waiting for the user', async () => {
    const [id] = await createSessions(['asks a question']);
    const app = await h.open('/');
    await app.page.locator(item(id!)).waitFor();
    expect(await app.page.title()).toBe('livetrail');
    await h.append(id!, [
      { type: 'state', agentState: 'waiting_for_user', llmCallsInFlight: 0, toolCallsInFlight: 0 },
    ]);
    await app.page.waitForFunction(() => document.title === '(1) livetrail');
    await app.page.locator(item(id!)).click();
    await app.page.waitForFunction(() => document.title === '(1) asks a question · livetrail');
  });
});

describe('dark mode in chromium', () => {
  test('follows prefers-color-scheme, and a picked theme wins and survives a reload', async () => {
    await createSessions(['themed']);
    const context = await h.newContext({ colorScheme: 'dark' });
    const app = await h.open('/', { context });
    await app.page.locator(SEL.sessionItem).first().waitFor();
    expect(luminanceOf(await pageBackground(app.page))).toBeLessThan(0.05);
    const text = await app.page
      .locator('.session-title')
      .first()
      .evaluate((el) => getComputedStyle(el).color);
    expect(luminanceOf(text)).toBeGreaterThan(0.6);

    await app.page.selectOption('[data-testid=theme-toggle]', 'light');
    expect(luminanceOf(await pageBackground(app.page))).toBeGreaterThan(0.8);
    await app.page.reload();
    await app.page.locator(SEL.sessionItem).first().waitFor();
    expect(luminanceOf(await pageBackground(app.page))).toBeGreaterThan(0.8);
    expect(await app.page.inputValue('[data-testid=theme-toggle]')).toBe('light');

    await app.page.selectOption('[data-testid=theme-toggle]', 'system');
    expect(luminanceOf(await pageBackground(app.page))).toBeLessThan(0.05);
    await app.page.emulateMedia({ colorScheme: 'light' });
    expect(luminanceOf(await pageBackground(app.page))).toBeGreaterThan(0.8);
  });
});

describe('the phone layout in chromium (390 × 844)', () => {
  test('list and session are screens of their own, nothing scrolls sideways, and Retry stays on screen', async () => {
    const title = `${'A title that is much too long for a phone '.repeat(5)}`.slice(0, 200);
    const [id] = await createSessions([title]);
    await h.append(id!, [{ type: 'assistant_message', text: 'hello from the agent' }]);
    const context = await h.newContext({
      viewport: { width: 390, height: 844 },
      hasTouch: true,
      isMobile: true,
    });
    const app = await h.open('/', { context });
    const page = app.page;
    const noSidewaysScroll = () =>
      page.evaluate(() => {
        const el = document.scrollingElement!;
        return el.scrollWidth <= el.clientWidth;
      });

    // No session open: the list is the screen.
    await page.locator(item(id!)).waitFor();
    expect(await noSidewaysScroll()).toBe(true);
    expect(await page.locator('main').isVisible()).toBe(false);
    expect(
      await page
        .locator('.empty-state')
        .textContent()
        .catch(() => ''),
    ).not.toMatch(/on the left/);

    // One open: the session is the screen, with most of the height for the timeline.
    await page.locator(item(id!)).tap();
    await page.waitForURL(`**/sessions/${id}`);
    await app.waitForRows([1]);
    expect(await page.locator('nav.sidebar').isVisible()).toBe(false);
    expect(await noSidewaysScroll()).toBe(true);
    const timeline = await page.locator(SEL.timeline).boundingBox();
    expect(timeline!.height).toBeGreaterThan(844 * 0.5);
    const back = page.locator('[data-testid=back-to-list]');
    expect(await back.isVisible()).toBe(true);

    // The server goes away: the indicator and its Retry button stay inside the screen.
    await h.server.stop();
    const retry = page.locator('[data-testid=network-retry]');
    await retry.waitFor();
    for (const sel of [SEL.indicator, '[data-testid=network-retry]']) {
      const b = (await page.locator(sel).boundingBox())!;
      expect(b.x, sel).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width, sel).toBeLessThanOrEqual(390);
      expect(b.y + b.height, sel).toBeLessThanOrEqual(844);
    }
    expect(await noSidewaysScroll()).toBe(true);

    // Back to the list.
    await back.tap();
    await page.waitForURL((url) => url.pathname === '/');
    expect(await page.locator(item(id!)).isVisible()).toBe(true);
  });
});
