import { describe, expect, test } from 'vitest';
import type { AgentEvent } from '../../shared/agentEvent.ts';
import { mixedEvents } from '../bench/timeline/mixedTrail.ts';
import { type LivetrailPage, SEL } from '../support/livetrailPage.ts';
import { useAppHarness } from './appHarness.ts';

// Long trails in seconds, not at the default 200 events/s a token may append.
const h = useAppHarness({ env: { LIVETRAIL_APPEND_RATE: '1000000', LIVETRAIL_APPEND_BURST: '10000000' } });

/** The brief's bound: a long trail must not put more elements than this in the page. */
const MAX_ELEMENTS = 4000;

async function appendInBatches(sessionId: string, events: AgentEvent[], batch = 500): Promise<number> {
  let last = 0;
  for (let i = 0; i < events.length; i += batch) {
    const { seqs } = await h.producer.api.events.append.mutate({
      sessionId,
      events: events.slice(i, i + batch),
    });
    last = seqs.at(-1) ?? last;
  }
  return last;
}

/** The seq of the trail's last row (the last event may be a state or cost event, which is no row). */
async function lastRowSeq(sessionId: string): Promise<number> {
  return (await h.expectedRows(sessionId)).at(-1)!;
}

const elementCount = (app: LivetrailPage) => app.page.evaluate(() => document.querySelectorAll('*').length);

/** Waits until the row of `seq` is on screen inside the timeline and the trail is no longer backfilling. */
async function waitForRowOnScreen(app: LivetrailPage, seq: number, timeout = 30_000): Promise<void> {
  await app.page.waitForFunction(
    ({ timeline, row, seq }) => {
      const tl = document.querySelector(timeline);
      const el = document.querySelector(`${row}[data-seq="${seq}"]`);
      if (!tl || !el || tl.getAttribute('aria-busy') !== 'false') return false;
      const box = tl.getBoundingClientRect();
      const r = el.getBoundingClientRect();
      return r.height > 0 && r.top < box.bottom && r.bottom > box.top;
    },
    { timeline: SEL.timeline, row: SEL.row, seq },
    { timeout },
  );
}

/**
 * The geometry of the view: how far from the bottom, the rows on screen, the jump button, and
 * whether the virtualizer's sizes are the real ones: with the first (last) item rendered, the gap
 * between it and the sizer's top (bottom) is the list's padding (8 px, 16 px) only when the sizes it
 * holds for the rendered items are their measured heights (estimates are off by tens of px each).
 */
function viewState(app: LivetrailPage) {
  return app.page.evaluate(
    ({ timeline, row, jump }) => {
      const tl = document.querySelector<HTMLElement>(timeline)!;
      const box = tl.getBoundingClientRect();
      const sizer = tl.querySelector('.timeline-sizer')!.getBoundingClientRect();
      const items = [...tl.querySelectorAll<HTMLElement>('[data-index]')];
      const first = items[0];
      const last = items.at(-1);
      const setSize = Number(last?.getAttribute('aria-setsize') ?? 0);
      const rows = items.filter((el) => el.matches(row));
      const onScreen = rows.filter((el) => {
        const r = el.getBoundingClientRect();
        return r.bottom > box.top && r.top < box.bottom;
      });
      return {
        scrollTop: tl.scrollTop,
        fromBottom: tl.scrollHeight - tl.scrollTop - tl.clientHeight,
        lastRenderedSeq: Number(rows.at(-1)?.dataset.seq ?? 0),
        firstOnScreenSeq: Number(onScreen[0]?.dataset.seq ?? 0),
        lastOnScreenSeq: Number(onScreen.at(-1)?.dataset.seq ?? 0),
        startGap:
          first?.dataset.index === '0' ? Math.round(first.getBoundingClientRect().top - sizer.top) : null,
        endGap:
          last && Number(last.dataset.index) === setSize - 1
            ? Math.round(sizer.bottom - last.getBoundingClientRect().bottom)
            : null,
        rendered: items.length,
        jump: document.querySelector(jump)?.textContent ?? null,
      };
    },
    { timeline: SEL.timeline, row: SEL.row, jump: SEL.jumpToNew },
  );
}

/** A gap that is the list's padding, give or take the rounding of a few measured heights. */
function expectPadding(gap: number | null, px: number): void {
  expect(gap).not.toBeNull();
  expect(Math.abs(gap! - px)).toBeLessThanOrEqual(3);
}

describe('the virtual timeline in chromium', () => {
  test('keeps the element count bounded for 10k and 20k events; the top still shows seq 1', async () => {
    const t0 = Date.now();
    const id = await h.createSession('ten thousand events');
    // The mixed trail's 10 000th and 20 000th events are rows.
    const last10k = await appendInBatches(id, mixedEvents(10_000));
    expect(last10k).toBe(10_000);
    console.log(`timing: appended 10k ${Date.now() - t0} ms`);
    const app = await h.open(`/sessions/${id}`);
    await waitForRowOnScreen(app, last10k);
    console.log(`timing: caught up 10k ${Date.now() - t0} ms`);
    await app.page.waitForTimeout(300);
    const at10k = await elementCount(app);
    expect(at10k).toBeLessThan(MAX_ELEMENTS);
    expectPadding((await viewState(app)).endGap, 16);
    // The backfill is history: nothing was announced.
    expect(await app.page.locator(SEL.announcer).textContent()).toBe('');

    const last20k = await appendInBatches(id, mixedEvents(10_000, 10_000));
    console.log(`timing: appended 20k ${Date.now() - t0} ms`);
    await waitForRowOnScreen(app, last20k);
    console.log(`timing: caught up 20k ${Date.now() - t0} ms`);
    await app.page.waitForTimeout(300);
    const at20k = await elementCount(app);
    expect(at20k).toBeLessThan(MAX_ELEMENTS);
    // Flat: twice the trail, about the same page.
    expect(Math.abs(at20k - at10k)).toBeLessThan(at10k * 0.25);

    await app.page.locator(SEL.timeline).evaluate((tl) => {
      tl.scrollTop = 0;
    });
    await app.row(1).waitFor({ state: 'visible' });
    expect(await app.page.locator(`${SEL.daySeparator}[data-index="0"]`).count()).toBe(1);
    await app.page.waitForTimeout(300);
    const top = await viewState(app);
    expect(top.firstOnScreenSeq).toBe(1);
    expectPadding(top.startGap, 8);
    expect(await elementCount(app)).toBeLessThan(MAX_ELEMENTS);
    expect(h.pageErrors).toEqual([]);
  }, 120_000);

  test('follows the bottom under live load; scrolled up it holds still and counts; the button returns', async () => {
    const id = await h.createSession('live load');
    let next = await appendInBatches(id, mixedEvents(2000));
    const app = await h.open(`/sessions/${id}`);
    await waitForRowOnScreen(app, await lastRowSeq(id));
    const t0 = Date.now();

    /** ~100 events/s for `ms`: ten every 100 ms, what is due by the clock. */
    const stream = async (ms: number) => {
      const start = Date.now();
      let sent = 0;
      while (Date.now() - start < ms) {
        const due = Math.floor(((Date.now() - start) / 1000) * 100) - sent;
        if (due > 0) {
          const { seqs } = await h.producer.api.events.append.mutate({
            sessionId: id,
            events: mixedEvents(due, next),
          });
          next = seqs.at(-1)!;
          sent += due;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      return sent;
    };

    // At the bottom: it stays there while the rows stream in.
    const samples: Awaited<ReturnType<typeof viewState>>[] = [];
    let streaming = true;
    const sampling = (async () => {
      while (streaming) {
        samples.push(await viewState(app));
        await app.page.waitForTimeout(200);
      }
    })();
    expect(await stream(5000)).toBeGreaterThan(400);
    streaming = false;
    await sampling;
    console.log(`timing: streamed at the bottom ${Date.now() - t0} ms`);
    expect(samples.length).toBeGreaterThan(10);
    // Never "↓ N new" while following, and always (about) at the bottom, its last row on screen.
    expect(samples.filter((s) => s.jump !== null)).toEqual([]);
    expect(samples.filter((s) => s.fromBottom > 150 || s.lastOnScreenSeq !== s.lastRenderedSeq)).toEqual([]);
    await waitForRowOnScreen(app, await lastRowSeq(id));
    // Live rows (after caught up) are announced, shortly.
    expect(await app.page.locator(SEL.announcer).textContent()).not.toBe('');

    // Scrolled up (a real wheel): new rows are counted, the view does not move.
    const box = (await app.page.locator(SEL.timeline).boundingBox())!;
    await app.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await app.page.mouse.wheel(0, -3000);
    await app.page.waitForTimeout(500);
    const held = await viewState(app);
    expect(held.fromBottom).toBeGreaterThan(1000);
    const during: Awaited<ReturnType<typeof viewState>>[] = [];
    streaming = true;
    const watching = (async () => {
      while (streaming) {
        during.push(await viewState(app));
        await app.page.waitForTimeout(200);
      }
    })();
    await stream(3000);
    streaming = false;
    await watching;
    await app.page.locator(SEL.jumpToNew).waitFor();
    const after = await viewState(app);
    expect(after.jump).toMatch(/^↓ \d+ new$/);
    expect(Number(/\d+/.exec(after.jump ?? '')?.[0])).toBeGreaterThan(50);
    for (const s of [...during, after]) {
      expect(s.scrollTop).toBeCloseTo(held.scrollTop, 0);
      expect(s.firstOnScreenSeq).toBe(held.firstOnScreenSeq);
    }

    // The button takes the viewer to the newest row and following resumes.
    await app.page.locator(SEL.jumpToNew).click();
    await waitForRowOnScreen(app, await lastRowSeq(id));
    expect(await app.page.locator(SEL.jumpToNew).count()).toBe(0);
    await stream(1000);
    await waitForRowOnScreen(app, await lastRowSeq(id));
    const end = await viewState(app);
    expect(end.fromBottom).toBeLessThan(150);
    expect(end.jump).toBeNull();
    expectPadding(end.endGap, 16);
    expect(h.pageErrors).toEqual([]);
  }, 120_000);

  test('a thought opened by the viewer is still open after its row left the window and came back', async () => {
    const id = await h.createSession('remembered');
    const events: AgentEvent[] = [{ type: 'thought', text: 'the first thought\nwith a second line' }];
    for (let i = 0; i < 400; i++) events.push({ type: 'assistant_message', text: `filler ${i}` });
    const last = await appendInBatches(id, events);
    const app = await h.open(`/sessions/${id}`);
    await waitForRowOnScreen(app, last);
    const timeline = app.page.locator(SEL.timeline);
    await timeline.evaluate((el) => {
      el.scrollTop = 0;
    });
    const first = app.page.locator(`${SEL.row}[data-seq="1"]`);
    await first.locator('.thought-toggle').click();
    await first.locator('[data-part=thought-body]').waitFor();
    await timeline.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await app.page.waitForFunction((sel) => !document.querySelector(sel), `${SEL.row}[data-seq="1"]`);
    await timeline.evaluate((el) => {
      el.scrollTop = 0;
    });
    await first.waitFor();
    expect(await first.locator('[data-part=thought-body]').count()).toBe(1);
    expect(await first.locator('.thought-toggle').getAttribute('aria-expanded')).toBe('true');
  });
});
