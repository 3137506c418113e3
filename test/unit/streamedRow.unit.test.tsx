import { cleanup, fireEvent, render } from '@solidjs/testing-library';
import { createSignal } from 'solid-js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Timeline } from '../../client/components/Timeline.tsx';
import { applyStreamMessages, emptyTrail } from '../../client/state/trailState.ts';
import type { AgentEvent, CompactedMessage, StoredEvent } from '../../shared/agentEvent.ts';
import type { SessionStreamMessage } from '../../shared/streamMessages.ts';
import { unsafeParts } from '../support/unsafeParts.ts';

const TS = '2026-01-01T10:00:00.000Z';

/** A timeline fed a trail the test grows event by event, as the tab feed would. */
function streamTimeline() {
  const [trail, setTrail] = createSignal(emptyTrail('s1'));
  let seq = 0;
  const send = (...messages: SessionStreamMessage[]) => setTrail((t) => applyStreamMessages(t, messages));
  const append = (...events: AgentEvent[]) =>
    send(
      ...events.map(
        (e): SessionStreamMessage => ({
          kind: 'event',
          event: { ...e, sessionId: 's1', seq: ++seq, ts: TS } as StoredEvent,
        }),
      ),
    );
  /** A late joiner's compacted frame for a message that started at `startSeq`. */
  const compacted = (frame: Omit<CompactedMessage, 'sessionId' | 'ts' | 'seq' | 'startTs'>) => {
    seq += 1;
    send({ kind: 'event', event: { ...frame, sessionId: 's1', ts: TS, startTs: TS, seq } });
  };
  const { container } = render(() => (
    <Timeline events={trail().events} messages={trail().messages} caughtUp={true} />
  ));
  const row = (s: number) =>
    container.querySelector<HTMLElement>(`[data-testid=timeline-row][data-seq="${s}"]`);
  /** A seq this viewer is not sent (withheld by the server's compaction). */
  const skip = () => {
    seq += 1;
  };
  return { container, append, compacted, skip, row, trail };
}

/** Lets the frame-coalesced renders happen. */
const nextFrame = () => vi.advanceTimersToNextFrame();

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['requestAnimationFrame', 'cancelAnimationFrame'] });
  Object.defineProperty(navigator, 'clipboard', { value: { writeText: vi.fn() }, configurable: true });
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('a streamed message in the timeline', () => {
  it('grows in the same row element, busy with a caret while written, then final at message_end', () => {
    const t = streamTimeline();
    t.append(
      { type: 'user_message', text: 'go' },
      { type: 'message_start', messageId: 'm1', role: 'assistant' },
    );
    const row = t.row(2)!;
    expect(row.dataset.type).toBe('assistant_message');
    expect(row.getAttribute('aria-busy')).toBe('true');
    expect(row.querySelector('[data-testid=streaming-caret]')).not.toBeNull();
    const body = row.querySelector<HTMLElement>('[data-part=message-body]')!;
    expect(body.textContent).toBe('');

    t.append({ type: 'message_delta', messageId: 'm1', text: 'Hello' });
    nextFrame();
    expect(body.textContent).toBe('Hello');
    t.append({ type: 'message_delta', messageId: 'm1', text: ', **wor' });
    nextFrame();
    t.append({ type: 'message_delta', messageId: 'm1', text: 'ld**' });
    nextFrame();
    expect(t.row(2)).toBe(row);
    expect(row.querySelector('[data-part=message-body]')).toBe(body);
    expect(body.textContent).toBe('Hello, world');
    expect(body.querySelector('strong')?.textContent).toBe('world');
    expect(row.querySelector('[data-testid=streaming-caret]')).not.toBeNull();

    // The end shows the final text at once (no frame to wait for), without caret or busy state.
    t.append({ type: 'message_delta', messageId: 'm1', text: '!' }, { type: 'message_end', messageId: 'm1' });
    expect(body.textContent).toBe('Hello, world!');
    expect(t.row(2)).toBe(row);
    expect(row.hasAttribute('aria-busy')).toBe(false);
    expect(row.querySelector('[data-testid=streaming-caret]')).toBeNull();
    expect(row.querySelector('[data-testid=message-incomplete]')).toBeNull();
    // The copy button copies the text as it is now, not the row event's empty snapshot.
    const copy = row.querySelector('.row-meta [data-testid=copy-button]')!;
    fireEvent.click(copy);
    expect(navigator.clipboard.writeText).toHaveBeenCalledWith('Hello, **world**!');
  });

  it('renders at most once a frame while the text grows, keeping blocks already final', () => {
    const t = streamTimeline();
    t.append({ type: 'message_start', messageId: 'm1', role: 'assistant' });
    t.append({ type: 'message_delta', messageId: 'm1', text: '# Notes\n\nfirst\n\n' });
    nextFrame();
    const body = t.row(1)!.querySelector<HTMLElement>('[data-part=message-body]')!;
    const heading = body.querySelector('h1');
    expect(heading?.textContent).toBe('Notes');
    t.append({ type: 'message_delta', messageId: 'm1', text: 'sec' });
    t.append({ type: 'message_delta', messageId: 'm1', text: 'ond' });
    // Two batches within one frame: nothing rendered yet.
    expect(body.textContent).toBe('Notesfirst');
    nextFrame();
    expect(body.textContent).toBe('Notesfirstsecond');
    expect(body.querySelector('h1')).toBe(heading);
  });

  it('keeps half-written markdown contained and hostile text inert while it streams', () => {
    const t = streamTimeline();
    t.append({ type: 'message_start', messageId: 'm1', role: 'assistant' });
    t.append({
      type: 'message_delta',
      messageId: 'm1',
      text: 'Run:\n\n```sh\nnpm test\n\n<img src=x onerror=alert(1)>',
    });
    nextFrame();
    const row = t.row(1)!;
    // The unclosed fence is a code block running to the end, the caret after it.
    expect(row.querySelector('pre code')?.textContent).toBe('npm test\n\n<img src=x onerror=alert(1)>');
    expect(row.querySelector('.md > :last-child')?.matches('[data-testid=streaming-caret]')).toBe(true);
    t.append({
      type: 'message_delta',
      messageId: 'm1',
      text: '\n```\n\n[x](javascript:alert(1)) <script>x</script> **ha',
    });
    nextFrame();
    expect(row.querySelectorAll('pre')).toHaveLength(1);
    expect(row.querySelector('.md')?.textContent).toContain('<script>x</script> **ha');
    expect(unsafeParts(row)).toEqual([]);
  });

  it('shows a late joiner the compacted message at its start, with the same text and key', () => {
    const t = streamTimeline();
    // The message starts at seq 2 and ends at seq 5; the tool call (3) is sent, and shown, before it.
    t.append({ type: 'user_message', text: 'go' });
    t.skip();
    t.append({ type: 'tool_call', callId: 'c1', tool: 'bash', args: {} });
    t.skip();
    t.compacted({ type: 'assistant_message', text: 'all *done*', messageId: 'm1', startSeq: 2 });
    const rows = [...t.container.querySelectorAll<HTMLElement>('[data-testid=timeline-row]')];
    expect(rows.map((r) => [r.dataset.seq, r.dataset.type])).toEqual([
      ['1', 'user_message'],
      ['2', 'assistant_message'],
      ['3', 'tool_call'],
    ]);
    const row = t.row(2)!;
    expect(row.querySelector('[data-part=message-body]')?.textContent).toBe('all done');
    expect(row.querySelector('em')?.textContent).toBe('done');
    expect(row.hasAttribute('aria-busy')).toBe(false);
    expect(row.querySelector('[data-testid=streaming-caret]')).toBeNull();
  });

  it('marks a message the session completed before it ended as incomplete', () => {
    const t = streamTimeline();
    t.append(
      { type: 'message_start', messageId: 'm1', role: 'assistant' },
      { type: 'message_delta', messageId: 'm1', text: 'I was about to' },
    );
    nextFrame();
    const row = t.row(1)!;
    expect(row.querySelector('[data-testid=message-incomplete]')).toBeNull();
    t.append({ type: 'complete', status: 'failed' });
    const label = row.querySelector<HTMLElement>('[data-testid=message-incomplete]');
    expect(label?.textContent).toBe('incomplete');
    expect(label?.title).toMatch(/stopped before finishing/);
    expect(row.querySelector('[data-part=message-body]')?.textContent).toBe('I was about to');
    expect(row.hasAttribute('aria-busy')).toBe(false);
    expect(row.querySelector('[data-testid=streaming-caret]')).toBeNull();
    // A late joiner's frame says the same.
    const late = streamTimeline();
    late.compacted({
      type: 'assistant_message',
      text: 'I was about to',
      messageId: 'm1',
      startSeq: 1,
      incomplete: true,
    });
    expect(late.row(1)?.querySelector('[data-testid=message-incomplete]')?.textContent).toBe('incomplete');
  });

  it('streams a thought into its preview, and into its body once opened', () => {
    const t = streamTimeline();
    t.append(
      { type: 'message_start', messageId: 't1', role: 'thought' },
      { type: 'message_delta', messageId: 't1', text: 'maybe the cache' },
    );
    const row = t.row(1)!;
    expect(row.dataset.type).toBe('thought');
    expect(row.getAttribute('aria-busy')).toBe('true');
    expect(row.querySelector('.thought-preview')?.textContent).toBe('maybe the cache');
    expect(row.querySelector('.thought-toggle [data-testid=streaming-caret]')).not.toBeNull();
    fireEvent.click(row.querySelector('.thought-toggle')!);
    t.append({ type: 'message_delta', messageId: 't1', text: ' is stale' });
    nextFrame();
    const body = row.querySelector('[data-part=thought-body]')!;
    expect(body.textContent).toBe('maybe the cache is stale');
    expect(body.querySelector('[data-testid=streaming-caret]')).not.toBeNull();
    t.append({ type: 'complete', status: 'cancelled' });
    expect(t.row(1)).toBe(row);
    expect(row.querySelector('[data-testid=streaming-caret]')).toBeNull();
    expect(row.querySelector('.thought-toggle [data-testid=message-incomplete]')).not.toBeNull();
  });
});
