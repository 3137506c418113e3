import { describe, expect, test } from 'vitest';
import type { AgentEvent } from '../../shared/agentEvent.ts';
import { SEL } from '../support/livetrailPage.ts';
import { useAppHarness } from './appHarness.ts';

declare global {
  interface Window {
    __pwned?: unknown;
  }
}

const h = useAppHarness();

/** Opens a session's page and waits until the row of `seq` is there. */
async function openSession(id: string, seq: number) {
  const app = await h.open(`/sessions/${id}`);
  await app.page.locator(`${SEL.row}[data-seq="${seq}"]`).waitFor();
  // A page that runs an agent's script or follows its link must fail the test, not pass it quietly.
  app.page.on('dialog', (d) => {
    throw new Error(`a dialog opened: ${d.message()}`);
  });
  return app;
}

/**
 * Text an agent controls, shown as a person would see it in Chromium: nothing it contains executes,
 * widens the page, reorders the UI around it, escapes its box, or stalls the tab.
 */
describe('hostile text in chromium', () => {
  test('a 200-character title, agent and tool name (with U+202E) neither widen the page nor hide the status', async () => {
    const title = `\u202e${'LongTitleWithoutSpaces'.repeat(9)}`.slice(0, 200);
    const id = (
      await h.producer.api.sessions.create.mutate({
        title,
        agent: `\u202e${'agent-name-'.repeat(18)}`.slice(0, 200),
      })
    ).id;
    const tool = `\u202e${'very_long_tool_name_'.repeat(10)}`.slice(0, 200);
    await h.append(id, [
      { type: 'tool_call', callId: 'c1', tool, args: { cmd: 'ls' } },
      { type: 'tool_result', callId: 'c1', tool, ok: false, output: 'boom' },
    ]);
    const app = await openSession(id, 1);
    const page = app.page;
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
    }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.viewport);

    const heading = page.locator('.session-heading');
    expect(await heading.getAttribute('title')).toBe(title);
    // Untrusted names sit in isolating elements, so U+202E reverses only themselves.
    for (const sel of [
      '.session-heading bdi',
      '.session-head-agent bdi',
      `${SEL.sessionItem} .session-title bdi`,
    ]) {
      expect(
        await page
          .locator(sel)
          .first()
          .evaluate((el) => getComputedStyle(el).unicodeBidi),
        sel,
      ).toBe('isolate');
    }
    // Focus unfolds the cut-short title for keyboard users.
    const folded = await heading.evaluate((el) => el.getBoundingClientRect().height);
    await heading.focus();
    expect(await heading.evaluate((el) => el.getBoundingClientRect().height)).toBeGreaterThan(folded);

    const status = page.locator('[data-testid=tool-status]').first();
    expect(await status.getAttribute('data-status')).toBe('failed');
    expect(await status.isVisible()).toBe(true);
    const card = await page.locator(`${SEL.row}[data-seq="1"]`).boundingBox();
    const box = await status.boundingBox();
    expect(box && card && box.x + box.width <= card.x + card.width + 1 && box.width > 10).toBe(true);
  });

  test('markdown and tool output from an agent never execute, link out unsafely or load images', async () => {
    const id = await h.createSession('hostile markdown');
    const payloads: AgentEvent[] = [
      {
        type: 'assistant_message',
        text: [
          '# Heading',
          '[click](javascript:window.__pwned=1) [data](data:text/html,<script>window.__pwned=1</script>)',
          '<img src=x onerror="window.__pwned=1"> <script>window.__pwned=1</script>',
          '![tracker](https://evil.example/pixel.png) <iframe src="https://evil.example"></iframe>',
          '[fine](https://example.com/ok)',
        ].join('\n\n'),
      },
      { type: 'thought', text: '<svg onload="window.__pwned=1"></svg> **bold**' },
      {
        type: 'tool_call',
        callId: 'c1',
        tool: 'bash',
        args: { cmd: '<img src=x onerror="window.__pwned=1">' },
      },
      {
        type: 'tool_result',
        callId: 'c1',
        tool: 'bash',
        ok: true,
        output: '\u001b[31m<script>window.__pwned=1</script>\u001b[0m\n\u001b]0;pwned\u0007done',
      },
      { type: 'error', message: '<img src=x onerror="window.__pwned=1">' },
    ];
    await h.append(id, payloads);
    const app = await openSession(id, 5);
    const page = app.page;
    // Open everything that folds, so every renderer has run (each click may re-render the list).
    for (const sel of ['details:not([open]) > summary', '.thought-toggle[aria-expanded=false]'])
      for (let i = 0; i < 50; i++) {
        const closed = page.locator(`${SEL.timeline} ${sel}`).first();
        if ((await closed.count()) === 0) break;
        await closed.click();
      }
    const found = await page.evaluate((sel) => {
      const root = document.querySelector(sel)!;
      return {
        unsafe: root.querySelectorAll('img, script, iframe, svg[onload], object, embed').length,
        handlers: [...root.querySelectorAll('*')].filter((el) =>
          [...el.attributes].some((a) => a.name.startsWith('on')),
        ).length,
        links: [...root.querySelectorAll('a')].map((a) => ({ href: a.getAttribute('href'), rel: a.rel })),
        text: root.textContent ?? '',
      };
    }, SEL.timeline);
    expect(found.unsafe).toBe(0);
    expect(found.handlers).toBe(0);
    for (const link of found.links) {
      expect(link.href ?? '').toMatch(/^(https?:|mailto:)/);
      expect(link.rel).toContain('noopener');
      expect(link.rel).toContain('noreferrer');
    }
    expect(found.links.map((l) => l.href)).toContain('https://example.com/ok');
    expect(found.text).not.toContain('\u001b');
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
    expect(await page.locator(`${SEL.timeline} h1, ${SEL.timeline} h2`).count()).toBeGreaterThan(0);
  });

  test('100k characters without spaces, zalgo and a 90k-character error are folded and clipped, not walls', async () => {
    const id = await h.createSession('walls of text');
    const zalgo = `Z${'\u0336\u0337\u0338\u0335\u0334\u0489'.repeat(40)}algo`;
    await h.append(id, [
      { type: 'assistant_message', text: 'A'.repeat(100_000) },
      { type: 'assistant_message', text: zalgo },
      { type: 'error', message: `Traceback\n${'  File "x.py", line 1, in <module>\n'.repeat(2_500)}` },
      { type: 'complete', status: 'failed', summary: 'S'.repeat(90_000) },
    ]);
    const app = await openSession(id, 4);
    const page = app.page;
    const rowText = (seq: number) =>
      page.locator(`${SEL.row}[data-seq="${seq}"]`).evaluate((el) => el.textContent?.length ?? 0);
    for (const seq of [1, 3, 4]) expect(await rowText(seq), `row ${seq}`).toBeLessThan(10_000);
    expect(await page.locator(`${SEL.row}[data-seq="1"] [data-testid=fold-toggle]`).textContent()).toContain(
      '100,000 characters',
    );
    // The zalgo's combining marks stay inside its bubble.
    const clip = await page
      .locator(`${SEL.row}[data-seq="2"] .bubble`)
      .evaluate((el) => getComputedStyle(el).overflow);
    expect(['hidden', 'clip']).toContain(clip);
    // Unfolding the 100k line renders it, and the page still answers.
    await page.locator(`${SEL.row}[data-seq="1"] [data-testid=fold-toggle]`).click();
    expect(await rowText(1)).toBeGreaterThan(100_000);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  });

  test('history is not announced on load and historic errors are not alerts; a skip link reaches the composer', async () => {
    const id = await h.createSession('quiet history');
    await h.append(id, [
      { type: 'error', message: 'an old failure' },
      { type: 'assistant_message', text: 'recovered' },
    ]);
    const app = await openSession(id, 2);
    const page = app.page;
    expect(await page.locator(`${SEL.timeline} [role=alert]`).count()).toBe(0);
    expect(await page.locator(SEL.timeline).getAttribute('aria-live')).not.toBe('polite');
    expect(await page.locator(SEL.timeline).getAttribute('role')).not.toBe('log');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'skip-to-composer',
    );
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'composer-input',
    );
  });
});
