import { describe, expect, test } from 'vitest';
import type { AgentEvent } from '../../shared/agentEvent.ts';
import { type LivetrailPage, SEL } from '../support/livetrailPage.ts';
import { useAppHarness } from './appHarness.ts';

const h = useAppHarness();

const CARET = '[data-testid=streaming-caret]';
const INCOMPLETE = '[data-testid=message-incomplete]';
const WRITING = '[data-testid=writing]';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A reply in pieces, as an LLM streams it: markdown cut mid-word, mid-emphasis and mid-fence. */
const PIECES = [
  'Here is ',
  'the plan:\n\n',
  '1. read the **fail',
  'ing** test\n',
  '2. fix it\n\n',
  '```ts\nconst ok',
  ' = true;\n\nexport { ok };\n',
  '```\n\nAll ',
  'done — `npm test` ',
  'passes.',
];

/** The message body of the row of `seq`: its text, its markup and whether it is the node `mark` was put on. */
function body(app: LivetrailPage, seq: number) {
  return app.page.evaluate(
    ({ row, seq }) => {
      const el = document.querySelector<HTMLElement>(`${row}[data-seq="${seq}"]`);
      const md = el?.querySelector<HTMLElement>('[data-part=message-body] .md');
      return {
        text: md?.textContent ?? null,
        html: md?.innerHTML ?? null,
        marked: el?.dataset.e2eMark === 'kept',
        busy: el?.getAttribute('aria-busy') ?? null,
      };
    },
    { row: SEL.row, seq },
  );
}

async function append(sessionId: string, ...events: AgentEvent[]): Promise<number[]> {
  return h.append(sessionId, events);
}

describe('a streamed message in chromium', () => {
  test('grows in place with a caret, ends without one, and a late joiner sees the identical text', async () => {
    const id = await h.createSession('streaming');
    await append(id, { type: 'user_message', text: 'fix the build' });
    const app = await h.open(`/sessions/${id}`);
    await app.row(1).waitFor();

    const [start] = await append(id, { type: 'message_start', messageId: 'm1', role: 'assistant' });
    const row = app.row(start!);
    await row.locator(CARET).waitFor();
    expect(await row.getAttribute('aria-busy')).toBe('true');
    await app.page.locator(WRITING).waitFor();
    // Marked once: a row rebuilt while the text grows would lose the mark.
    await row.evaluate((el) => {
      el.dataset.e2eMark = 'kept';
    });

    const lengths: number[] = [];
    let sent = '';
    for (const piece of PIECES) {
      await append(id, { type: 'message_delta', messageId: 'm1', text: piece });
      sent += piece;
      // What the page shows has every word sent so far (markdown syntax aside).
      const lastWord = sent
        .trim()
        .split(/[\s`*]+/)
        .filter(Boolean)
        .at(-1)!;
      await app.page.waitForFunction(
        ({ sel, word }) => document.querySelector(sel)?.textContent?.includes(word),
        { sel: `${SEL.row}[data-seq="${start}"] [data-part=message-body]`, word: lastWord },
      );
      const now = await body(app, start!);
      expect(now.marked, 'the same row element').toBe(true);
      expect(now.busy).toBe('true');
      lengths.push(now.text!.length);
      expect(await row.locator(CARET).count()).toBe(1);
      await sleep(60);
    }
    expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
    expect(lengths.at(-1)!).toBeGreaterThan(lengths[0]!);
    // While written, the caret blinks; a viewer who asks for less motion gets a still one.
    const blink = () => row.locator(CARET).evaluate((el) => getComputedStyle(el).animationName);
    expect(await blink()).not.toBe('none');
    await app.page.emulateMedia({ reducedMotion: 'reduce' });
    expect(await blink()).toBe('none');

    await append(id, { type: 'message_end', messageId: 'm1' });
    await row.locator(CARET).waitFor({ state: 'detached' });
    await app.page.locator(WRITING).waitFor({ state: 'detached' });
    const live = await body(app, start!);
    expect(live.marked).toBe(true);
    expect(live.busy).toBeNull();
    expect(live.text).toContain('All done — npm test passes.');
    expect(await row.locator('pre code').textContent()).toBe('const ok = true;\n\nexport { ok };\n');
    expect(await row.locator('ol > li').count()).toBe(2);

    // A second viewer, after the end, gets the message compacted: the same row, the same text.
    const late = await h.open(`/sessions/${id}`);
    await late.row(start!).locator('[data-part=message-body] pre').waitFor();
    const joined = await body(late, start!);
    expect(joined.text).toBe(live.text);
    expect(joined.html).toBe(live.html);
    expect(joined.busy).toBeNull();
    expect(await late.row(start!).locator(CARET).count()).toBe(0);
    expect(await late.rowSeqs()).toEqual(await app.rowSeqs());
    expect(h.pageErrors).toEqual([]);
  });

  test('a session that completes with a message still open shows it as incomplete, live and late', async () => {
    const id = await h.createSession('cut short');
    const app = await h.open(`/sessions/${id}`);
    const [start] = await append(
      id,
      { type: 'message_start', messageId: 't1', role: 'thought' },
      { type: 'message_start', messageId: 'm1', role: 'assistant' },
      { type: 'message_delta', messageId: 'm1', text: 'I was about to say' },
    );
    const reply = app.row(start! + 1);
    await reply.locator(CARET).waitFor();
    await append(id, { type: 'complete', status: 'failed', summary: 'ran out of budget' });
    await app.page.locator(SEL.completionBanner).waitFor();
    for (const seq of [start!, start! + 1]) {
      const label = app.row(seq).locator(INCOMPLETE);
      await label.waitFor();
      expect(await label.textContent()).toBe('incomplete');
      expect(await label.getAttribute('title')).toMatch(/stopped before finishing/);
      expect(await app.row(seq).locator(CARET).count()).toBe(0);
      expect(await app.row(seq).getAttribute('aria-busy')).toBeNull();
    }
    expect(await app.page.locator(WRITING).count()).toBe(0);
    const live = await body(app, start! + 1);
    expect(live.text).toBe('I was about to say');

    const late = await h.open(`/sessions/${id}`);
    await late
      .row(start! + 1)
      .locator(INCOMPLETE)
      .waitFor();
    expect(await late.row(start!).locator(INCOMPLETE).count()).toBe(1);
    expect((await body(late, start! + 1)).text).toBe(live.text);
    expect(await late.rowSeqs()).toEqual(await app.rowSeqs());
    expect(h.pageErrors).toEqual([]);
  });

  test('the view keeps up with a growing last row at the bottom, and holds still when scrolled up', async () => {
    const id = await h.createSession('follow a stream');
    await append(
      id,
      ...Array.from({ length: 40 }, (_, i): AgentEvent => ({ type: 'user_message', text: `filler ${i}` })),
    );
    const app = await h.open(`/sessions/${id}`);
    await app.row(40).waitFor();
    const [start] = await append(id, { type: 'message_start', messageId: 'm1', role: 'assistant' });
    await app.row(start!).locator(CARET).waitFor();
    const timeline = app.page.locator(SEL.timeline);
    const view = () =>
      timeline.evaluate((tl) => ({
        top: tl.scrollTop,
        height: tl.scrollHeight,
        fromBottom: tl.scrollHeight - tl.scrollTop - tl.clientHeight,
      }));
    const grow = async (n: number, from: number) => {
      const seen: Awaited<ReturnType<typeof view>>[] = [];
      for (let i = from; i < from + n; i++) {
        await append(id, { type: 'message_delta', messageId: 'm1', text: `Line ${i} of a long answer.\n\n` });
        await app.page.waitForFunction(
          ({ sel, want }) => document.querySelector(sel)?.textContent?.includes(want),
          { sel: `${SEL.row}[data-seq="${start}"]`, want: `Line ${i} ` },
        );
        await sleep(120);
        seen.push(await view());
      }
      return seen;
    };

    // At the bottom — here 20 px short of it, which still counts (the list's own anchoring would let
    // go there): every line pushes the view down with it.
    await timeline.evaluate((tl) => {
      tl.scrollTop = tl.scrollHeight - tl.clientHeight - 20;
    });
    await sleep(300);
    const before = await view();
    expect(Math.round(before.fromBottom)).toBe(20);
    const following = await grow(8, 0);
    // (The first line may fit the empty bubble's caret line: until the row grows, nothing moves.)
    const grown = following.filter((s) => s.height > before.height);
    expect(grown.length).toBeGreaterThanOrEqual(6);
    expect(grown.filter((s) => s.fromBottom > 4)).toEqual([]);
    expect(following.at(-1)!.top).toBeGreaterThan(following[0]!.top + 100);

    // Scrolled up (a real wheel): the row grows below, the view does not move and nothing is "new".
    const box = (await timeline.boundingBox())!;
    await app.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await app.page.mouse.wheel(0, -600);
    await sleep(400);
    const held = await view();
    expect(held.fromBottom).toBeGreaterThan(300);
    for (const s of await grow(6, 8)) expect(s.top).toBeCloseTo(held.top, 0);
    expect(await app.page.locator(SEL.jumpToNew).count()).toBe(0);
    expect(h.pageErrors).toEqual([]);
  });
});
