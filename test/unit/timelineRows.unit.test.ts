import { describe, expect, it } from 'vitest';
import {
  createTimelineRows,
  localDay,
  rowSeq,
  type TimelineRows,
  timelineRows,
} from '../../client/state/timelineRows.ts';
import type { AgentEvent, CompactedMessage, StoredEvent } from '../../shared/agentEvent.ts';

/** Local-time timestamps: day separators follow the viewer's calendar. */
const at = (y: number, m: number, d: number, h = 10) => new Date(y, m - 1, d, h).toISOString();

function stored(events: AgentEvent[], ts = at(2026, 12, 1), from = 1): StoredEvent[] {
  return events.map((e, i) => ({ ...e, sessionId: 's1', seq: from + i, ts }));
}

/** The items as short strings: `day:<label>` or `<seq>:<type>` (a streamed row's seq is its start). */
function shape(view: TimelineRows): string[] {
  return view.items.map((item) =>
    item.kind === 'day' ? `day:${item.label}` : `${rowSeq(item.event)}:${item.event.type}`,
  );
}

/** A streamed message's row: live (`seq` = `startSeq`, open) or a late joiner's compacted frame. */
function streamed(startSeq: number, seq = startSeq, text = '', ts = at(2026, 12, 1)): CompactedMessage {
  return {
    type: 'assistant_message',
    text,
    messageId: `m${startSeq}`,
    startSeq,
    startTs: ts,
    seq,
    ts,
    sessionId: 's1',
  };
}

const thought = (text: string): AgentEvent => ({ type: 'thought', text });
const cost = (usd: number): AgentEvent => ({ type: 'cost', usd, inputTokens: 1, outputTokens: 1 });

describe('timelineRows', () => {
  it('leaves state and cost events out, joins results to their calls, and keeps orphan results as rows', () => {
    const view = timelineRows(
      stored([
        { type: 'state', agentState: 'thinking', llmCallsInFlight: 1, toolCallsInFlight: 0 },
        { type: 'tool_call', callId: 'c1', tool: 'bash', args: {} },
        cost(0.01),
        { type: 'tool_result', callId: 'c1', tool: 'bash', ok: true, output: 'first' },
        { type: 'tool_result', callId: 'c1', tool: 'bash', ok: false, output: 'repeat' },
        { type: 'tool_result', callId: 'ghost', tool: 'grep', ok: true, output: 'no call' },
      ]),
    );
    expect(shape(view)).toEqual(['day:Tuesday, 1 December 2026', '2:tool_call', '6:tool_result']);
    expect(view.results.get('c1')?.seq).toBe(4);
    expect(view.results.has('ghost')).toBe(false);
    expect(view.rows.map((e) => e.seq)).toEqual([2, 6]);
    expect(view.items.map((item) => item.index)).toEqual([0, 1, 2]);
  });

  it('joins a result to a call that comes later in the trail, also when they arrive in different batches', () => {
    const events = stored([
      { type: 'tool_result', callId: 'c1', tool: 'bash', ok: true, output: 'early' },
      thought('between'),
      { type: 'tool_call', callId: 'c1', tool: 'bash', args: {} },
    ]);
    expect(shape(timelineRows(events))).toEqual(['day:Tuesday, 1 December 2026', '2:thought', '3:tool_call']);
    const build = createTimelineRows();
    expect(shape(build(events.slice(0, 2)))).toEqual([
      'day:Tuesday, 1 December 2026',
      '1:tool_result',
      '2:thought',
    ]);
    const view = build(events);
    expect(shape(view)).toEqual(['day:Tuesday, 1 December 2026', '2:thought', '3:tool_call']);
    expect(view.results.get('c1')?.seq).toBe(1);
  });

  it('puts a separator before the first row of each local day, not before state events', () => {
    const events = [
      ...stored([thought('monday')], at(2026, 11, 30, 23)),
      ...stored(
        [{ type: 'state', agentState: 'idle', llmCallsInFlight: 0, toolCallsInFlight: 0 }],
        at(2026, 12, 1, 0),
        2,
      ),
      ...stored([thought('tuesday'), thought('still tuesday')], at(2026, 12, 1, 9), 3),
      ...stored([{ type: 'complete', status: 'succeeded' }], at(2026, 12, 3, 8), 5),
    ];
    expect(shape(timelineRows(events))).toEqual([
      'day:Monday, 30 November 2026',
      '1:thought',
      'day:Tuesday, 1 December 2026',
      '3:thought',
      '4:thought',
      'day:Thursday, 3 December 2026',
      '5:complete',
    ]);
  });

  it('gives no separator to a row whose timestamp cannot be read', () => {
    expect(shape(timelineRows(stored([thought('x')], 'not a date')))).toEqual(['1:thought']);
    expect(localDay('not a date')).toBeUndefined();
    expect(localDay(at(2027, 1, 5))).toEqual({ day: '2027-01-05', label: 'Tuesday, 5 January 2027' });
  });

  it('attaches each cost to the nearest earlier LLM row that has no cost yet', () => {
    const view = timelineRows(
      stored([
        cost(0.5), // nothing before it: belongs to no row
        { type: 'user_message', text: 'go' },
        thought('plan'),
        { type: 'tool_call', callId: 'c1', tool: 'bash', args: {} },
        cost(0.1), // → the tool call (seq 4)
        { type: 'tool_result', callId: 'c1', tool: 'bash', ok: true, output: '' },
        { type: 'assistant_message', text: 'done' },
        cost(0.2), // → the assistant message (seq 7)
        cost(0.3), // → the thought (seq 3), the nearest one still without a cost
        cost(0.4), // the user message is not the LLM's: nothing left
      ]),
    );
    expect([...view.costs].map(([seq, c]) => [seq, c.usd])).toEqual([
      [4, 0.1],
      [7, 0.2],
      [3, 0.3],
    ]);
  });

  it('is incremental: a grown trail only costs its new events, the arrays grow in place', () => {
    const build = createTimelineRows();
    const all = stored([thought('a'), thought('b'), cost(1), thought('c')]);
    const first = build(all.slice(0, 2));
    const items = first.items;
    const second = build(all);
    expect(second).not.toBe(first);
    expect(second.revision).toBeGreaterThan(first.revision);
    expect(second.items).toBe(items);
    expect(shape(second)).toEqual(['day:Tuesday, 1 December 2026', '1:thought', '2:thought', '4:thought']);
    expect(second.costs.get(2)?.usd).toBe(1);
    // The same array again: nothing to do, the same answer.
    expect(build(all)).toBe(second);

    // Touching an event that was already consumed would show if the builder re-scanned: it does not.
    const spy = stored([thought('d')], at(2026, 12, 1), 5)[0]!;
    let reads = 0;
    const grown = new Proxy([...all, spy], {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    build(grown);
    // The first and last consumed event (the prefix check) and the new one.
    expect(reads).toBeLessThanOrEqual(3);
  });

  it('starts over for a different trail (a reset)', () => {
    const build = createTimelineRows();
    build(stored([thought('a'), thought('b'), thought('c')]));
    const reset = stored([{ type: 'assistant_message', text: 'again' }]);
    const view = build(reset);
    expect(shape(view)).toEqual(['day:Tuesday, 1 December 2026', '1:assistant_message']);
    expect(view.costs.size).toBe(0);
  });

  it('builds the same view incrementally as in one go, for any batching', () => {
    const kinds: AgentEvent[] = [
      thought('t'),
      { type: 'tool_call', callId: 'c1', tool: 'a', args: {} },
      cost(0.1),
      { type: 'tool_result', callId: 'c1', tool: 'a', ok: true, output: '' },
      { type: 'tool_result', callId: 'c2', tool: 'b', ok: true, output: '' },
      { type: 'assistant_message', text: 'm' },
      cost(0.2),
      { type: 'tool_call', callId: 'c2', tool: 'b', args: {} },
      { type: 'error', message: 'e' },
    ];
    const events = [
      ...stored(kinds.slice(0, 4), at(2026, 12, 1)),
      ...stored(kinds.slice(4), at(2026, 12, 2), 5),
    ];
    const whole = timelineRows(events);
    for (let cut = 1; cut < events.length; cut++) {
      const build = createTimelineRows();
      build(events.slice(0, cut));
      const view = build(events);
      expect(shape(view), `cut at ${cut}`).toEqual(shape(whole));
      expect([...view.results.keys()].sort()).toEqual([...whole.results.keys()].sort());
      expect([...view.costs.keys()]).toEqual([...whole.costs.keys()]);
    }
  });
});

describe('timelineRows with streamed messages', () => {
  it('keys a streamed row by its start, live or compacted, and gives it the cost that follows its end', () => {
    const live = streamed(2);
    const late = streamed(2, 5, 'the whole reply');
    for (const row of [live, late]) {
      const events = [
        ...stored([{ type: 'user_message', text: 'go' }]),
        row,
        ...stored([cost(0.3)], at(2026, 12, 1), 6),
      ];
      const view = timelineRows(events);
      expect(view.items.map((item) => item.key)).toEqual(['day-2026-12-01', 'seq-1', 'seq-2']);
      expect(view.items[2]?.kind === 'row' && view.items[2].event).toBe(row);
      expect([...view.costs].map(([seq, c]) => [seq, c.usd])).toEqual([[2, 0.3]]);
    }
  });

  it('attaches costs by start when a message streams around other LLM rows', () => {
    // The message starts (2), a tool call comes while it streams (3), its cost (4), then the message's (6).
    const events = [
      ...stored([thought('plan')]),
      streamed(2, 5, 'reply'),
      ...stored([{ type: 'tool_call', callId: 'c1', tool: 'bash', args: {} }, cost(0.1)], at(2026, 12, 1), 3),
      ...stored([cost(0.2), cost(0.3)], at(2026, 12, 1), 6),
    ];
    const view = timelineRows(events);
    expect(shape(view).slice(1)).toEqual(['1:thought', '2:assistant_message', '3:tool_call']);
    expect([...view.costs].map(([seq, c]) => [seq, c.usd])).toEqual([
      [3, 0.1],
      [2, 0.2],
      [1, 0.3],
    ]);
  });

  it('takes a compacted message inserted before rows already shown (a late joiner), as if built in one go', () => {
    const before = [
      ...stored([{ type: 'user_message', text: 'go' }]),
      ...stored([{ type: 'tool_call', callId: 'c1', tool: 'a', args: {} }, cost(0.1)], at(2026, 12, 1), 3),
    ];
    const after = [
      before[0]!,
      streamed(2, 6, 'reply'),
      ...before.slice(1),
      ...stored([cost(0.2)], at(2026, 12, 1), 7),
    ];
    const build = createTimelineRows();
    const first = build(before);
    expect(shape(first).slice(1)).toEqual(['1:user_message', '3:tool_call']);
    const view = build(after);
    expect(shape(view)).toEqual(shape(timelineRows(after)));
    expect(shape(view).slice(1)).toEqual(['1:user_message', '2:assistant_message', '3:tool_call']);
    expect(view.items.map((item) => item.index)).toEqual([0, 1, 2, 3]);
    expect([...view.costs].map(([seq, c]) => [seq, c.usd])).toEqual([
      [3, 0.1],
      [2, 0.2],
    ]);
  });

  it('stays incremental while a live message streams: its row is appended once, later events after it', () => {
    const build = createTimelineRows();
    const head = stored([{ type: 'user_message', text: 'go' }]);
    const row = streamed(2);
    const first = build([...head, row]);
    const items = first.items;
    const grown = [...head, row, ...stored([{ type: 'error', message: 'later' }], at(2026, 12, 1), 5)];
    let reads = 0;
    const spied = new Proxy(grown, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    const view = build(spied);
    expect(view.items).toBe(items);
    expect(shape(view).slice(1)).toEqual(['1:user_message', '2:assistant_message', '5:error']);
    expect(reads).toBeLessThanOrEqual(3);
  });
});
