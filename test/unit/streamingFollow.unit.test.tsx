import { cleanup, render, screen } from '@solidjs/testing-library';
import { createRoot, createSignal } from 'solid-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Timeline } from '../../client/components/Timeline.tsx';
import { createFollowBottom } from '../../client/state/createFollowBottom.ts';
import { announcementFor } from '../../client/state/createTimelineAnnouncer.ts';
import { applyStreamMessages, emptyTrail } from '../../client/state/trailState.ts';
import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';
import type { SessionStreamMessage } from '../../shared/streamMessages.ts';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('createFollowBottom with rows that grow in place', () => {
  function setup() {
    // jsdom does no layout: a stand-in scroll container whose geometry the test sets.
    const geometry = { scrollHeight: 2000, clientHeight: 500, scrollTop: 1500 };
    const el = geometry as unknown as HTMLElement & typeof geometry;
    const [size, setSize] = createSignal(2000);
    const scrollToBottom = vi.fn(() => {
      el.scrollTop = el.scrollHeight - el.clientHeight;
    });
    const follow = createRoot(() =>
      createFollowBottom({ el: () => el, count: () => 3, size, scrollToBottom }),
    );
    return { el, setSize, scrollToBottom, follow };
  }

  it('goes down with a growing last row while at the bottom, without counting anything new', () => {
    const { el, setSize, scrollToBottom, follow } = setup();
    scrollToBottom.mockClear();
    // A few px short of the very bottom (where a list's own anchoring lets go) still follows.
    el.scrollTop = 1480;
    follow.onScroll();
    el.scrollHeight = 2040;
    setSize(2040);
    expect(scrollToBottom).toHaveBeenCalledTimes(1);
    expect(el.scrollTop).toBe(1540);
    el.scrollHeight = 2100;
    setSize(2100);
    expect(scrollToBottom).toHaveBeenCalledTimes(2);
    expect(follow.unseen()).toBe(0);
    // Shrinking (a fold closed) is no reason to move.
    setSize(1900);
    expect(scrollToBottom).toHaveBeenCalledTimes(2);
  });

  it('does not move the view, nor count, when the viewer scrolled up', () => {
    const { el, setSize, scrollToBottom, follow } = setup();
    follow.onScroll();
    el.scrollTop = 300;
    follow.onScroll();
    expect(follow.following()).toBe(false);
    scrollToBottom.mockClear();
    setSize(2400);
    setSize(2800);
    expect(scrollToBottom).not.toHaveBeenCalled();
    expect(el.scrollTop).toBe(300);
    expect(follow.unseen()).toBe(0);
  });
});

describe('announcing a streamed message', () => {
  function announced() {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date', 'requestAnimationFrame'],
    });
    const [trail, setTrail] = createSignal(emptyTrail('s1'));
    const [caughtUp, setCaughtUp] = createSignal(true);
    let seq = 0;
    const send = (...messages: SessionStreamMessage[]) => setTrail((t) => applyStreamMessages(t, messages));
    const append = (...events: AgentEvent[]) =>
      send(
        ...events.map(
          (e): SessionStreamMessage => ({
            kind: 'event',
            event: { ...e, sessionId: 's1', seq: ++seq, ts: '2026-01-01T10:00:00.000Z' } as StoredEvent,
          }),
        ),
      );
    render(() => <Timeline events={trail().events} messages={trail().messages} caughtUp={caughtUp()} />);
    const said = () => screen.getByTestId('timeline-announcer').textContent;
    /** Everything the live region says from now on, one entry per announcement. */
    const log: string[] = [];
    new MutationObserver(() => log.push(said() ?? '')).observe(screen.getByTestId('timeline-announcer'), {
      childList: true,
      subtree: true,
      characterData: true,
    });
    const settle = async () => {
      vi.advanceTimersByTime(5000);
      await Promise.resolve();
    };
    /** A compacted frame at the next seq (as a late joiner gets it). */
    const compacted = (text: string, messageId: string, open?: true) => {
      seq += 1;
      const frame = {
        type: 'assistant_message',
        text,
        messageId,
        startSeq: seq,
        seq,
        ts: '',
        sessionId: 's1',
      } as const;
      send({ kind: 'event', event: open ? { ...frame, open } : frame });
    };
    return { append, compacted, said, log, settle, setCaughtUp };
  }

  it('says it once, whole, when it ends: not at its start nor at each delta', async () => {
    const a = announced();
    a.append({ type: 'message_start', messageId: 'm1', role: 'assistant' });
    for (const text of ['Hello', ' there', ', friend']) {
      a.append({ type: 'message_delta', messageId: 'm1', text });
      await a.settle();
    }
    expect(a.log).toEqual([]);
    a.append({ type: 'message_end', messageId: 'm1' });
    await a.settle();
    expect(a.log).toEqual(['Assistant: Hello there, friend']);
    // Another event after it is said on its own.
    a.append({ type: 'error', message: 'late' });
    await a.settle();
    expect(a.log).toEqual(['Assistant: Hello there, friend', 'Error: late']);
  });

  it('says a message the session ended before it finished as incomplete, before the completion', async () => {
    const a = announced();
    a.append({ type: 'message_start', messageId: 't1', role: 'thought' });
    a.append({ type: 'message_delta', messageId: 't1', text: 'half a thought' });
    await a.settle();
    a.append({ type: 'complete', status: 'failed' });
    expect(a.said()).toBe('2 new events');
    expect(
      announcementFor({
        type: 'thought',
        text: 'x',
        messageId: 't',
        startSeq: 1,
        seq: 2,
        ts: '',
        sessionId: 's1',
        incomplete: true,
      }),
    ).toBe('Thought (incomplete): x');
  });

  it('says a message that arrives whole (compacted) at once, and one still open when it ends', async () => {
    const a = announced();
    a.append({ type: 'user_message', text: 'go' });
    await a.settle();
    a.compacted('done', 'm1');
    await a.settle();
    a.compacted('so', 'm2', true);
    await a.settle();
    expect(a.log).toEqual(['User: go', 'Assistant: done']);
    a.append(
      { type: 'message_delta', messageId: 'm2', text: ' far' },
      { type: 'message_end', messageId: 'm2' },
    );
    await a.settle();
    expect(a.log).toEqual(['User: go', 'Assistant: done', 'Assistant: so far']);
  });

  it('does not say a message that ends while the trail is catching up', async () => {
    const a = announced();
    a.append(
      { type: 'message_start', messageId: 'm1', role: 'assistant' },
      { type: 'message_delta', messageId: 'm1', text: 'old' },
    );
    await a.settle();
    a.setCaughtUp(false);
    a.append({ type: 'message_end', messageId: 'm1' });
    a.setCaughtUp(true);
    await a.settle();
    expect(a.log).toEqual([]);
  });
});
