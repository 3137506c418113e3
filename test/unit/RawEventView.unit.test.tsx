import { cleanup, fireEvent, render } from '@solidjs/testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { InterruptRow } from '../../client/components/InterruptRow.tsx';
import { TimelineRow } from '../../client/components/TimelineRow.tsx';
import { rawEventJson } from '../../client/state/rawEventJson.ts';
import { createRowScope, RowScopeContext } from '../../client/state/rowMemory.ts';
import type { EventOf } from '../../client/state/timelineRows.ts';
import type { CompactedMessage, StoredEvent } from '../../shared/agentEvent.ts';

afterEach(cleanup);

const TS = '2026-03-04T10:00:00.000Z';
const hostile: StoredEvent = {
  type: 'tool_result',
  callId: 'c1',
  tool: 'bash',
  ok: true,
  output: { html: '<img src=x onerror=alert(1)>', bidi: 'abc\u202edef' },
  sessionId: 's',
  seq: 4,
  ts: TS,
};

function mountRow(memory: Map<string, boolean>, event: StoredEvent | CompactedMessage) {
  return render(() => (
    <RowScopeContext.Provider value={createRowScope(memory, `seq-${event.seq}`)}>
      <TimelineRow event={event} />
    </RowScopeContext.Provider>
  ));
}

describe('the raw JSON of a row', () => {
  it('opens from the row’s { } button as pretty JSON text, never HTML, and closes again', () => {
    const view = mountRow(new Map(), hostile);
    const button = view.getByTestId('raw-event');
    expect(button.tagName).toBe('BUTTON');
    expect(button.getAttribute('aria-pressed')).toBe('false');
    expect(view.queryByTestId('raw-event-json')).toBeNull();
    fireEvent.click(button);
    expect(button.getAttribute('aria-pressed')).toBe('true');
    const pre = view.getByTestId('raw-event-json').querySelector('pre')!;
    expect(pre.textContent).toBe(rawEventJson(hostile));
    expect(JSON.parse(pre.textContent!)).toEqual(hostile);
    expect(pre.querySelector('img')).toBeNull();
    expect(pre.textContent).toContain('abc\\u202edef');
    fireEvent.click(button);
    expect(view.queryByTestId('raw-event-json')).toBeNull();
  });

  it('writes invisible characters as escapes, tag characters as surrogate pairs, and parses back the same', () => {
    const tags = String.fromCodePoint(0xe0049, 0xe0067, 0xe006e); // "Ign" in invisible tag characters
    const event = {
      ...hostile,
      output: { a: `x${tags}y`, soft: 'hy\u00adphen', sep: 'a\u2028b', vs: 'v\ufe0f', mvs: 'm\u180en' },
    } as typeof hostile;
    const json = rawEventJson(event);
    expect(json).toContain('x\\udb40\\udc49\\udb40\\udc67\\udb40\\udc6ey');
    for (const escaped of ['hy\\u00adphen', 'a\\u2028b', 'v\\ufe0f', 'm\\u180en'])
      expect(json).toContain(escaped);
    for (const c of ['\u00ad', '\u180e', '\u2028', '\ufe0f', String.fromCodePoint(0xe0049)]) {
      expect(json).not.toContain(c);
    }
    expect(JSON.parse(json)).toEqual(event);
  });

  it('stays open when its row leaves the virtual window and comes back, and only on that row', () => {
    const memory = new Map<string, boolean>();
    const first = mountRow(memory, hostile);
    fireEvent.click(first.getByTestId('raw-event'));
    first.unmount();
    const again = mountRow(memory, hostile);
    expect(again.getByTestId('raw-event').getAttribute('aria-pressed')).toBe('true');
    expect(again.getByTestId('raw-event-json')).toBeTruthy();
    again.unmount();
    const other = mountRow(memory, { ...hostile, seq: 5 });
    expect(other.queryByTestId('raw-event-json')).toBeNull();
  });

  it('shows a streamed message with the text it has now', () => {
    const start: CompactedMessage = {
      type: 'assistant_message',
      text: '',
      messageId: 'm1',
      startSeq: 1,
      startTs: TS,
      sessionId: 's',
      seq: 1,
      ts: TS,
    };
    expect(
      JSON.parse(
        rawEventJson(start, { role: 'assistant_message', text: 'Hello', open: true, incomplete: false }),
      ),
    ).toMatchObject({ type: 'assistant_message', messageId: 'm1', text: 'Hello' });
  });
});

describe('InterruptRow', () => {
  const interrupt = (reason?: string): EventOf<'interrupt'> => ({
    type: 'interrupt',
    ...(reason !== undefined && { reason }),
    sessionId: 's',
    seq: 3,
    ts: TS,
  });

  it('says a person stopped the session, when, and why as inert text', () => {
    const view = render(() => <InterruptRow event={interrupt('<b>wrong</b> repo')} />);
    const row = view.getByTestId('interrupt-row');
    expect(row.querySelector('.interrupt-label')?.textContent).toBe('Stopped by a person');
    expect(row.querySelector('time')?.getAttribute('datetime')).toBe(TS);
    expect(row.querySelector('time')?.textContent).toMatch(/^at \d{1,2}:\d\d:\d\d/);
    expect(row.textContent).toContain('<b>wrong</b> repo');
    expect(row.querySelector('b')).toBeNull();
  });

  it('has no reason line without a reason, and is what the timeline renders for an interrupt', () => {
    const bare = render(() => <InterruptRow event={interrupt()} />);
    expect(bare.getByTestId('interrupt-row').querySelector('.text-block')).toBeNull();
    bare.unmount();
    const row = render(() => <TimelineRow event={interrupt('x')} />);
    expect(row.getByTestId('interrupt-row')).toBeTruthy();
  });
});
