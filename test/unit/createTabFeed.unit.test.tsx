import { createRoot, createSignal } from 'solid-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTabFeed, type TabFeedOptions } from '../../client/state/createTabFeed.ts';
import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';
import { initialConnectionState } from '../../shared/connection/connectionState.ts';
import type {
  AttemptHandlers,
  ConnectionManager,
  ConnectionManagerOptions,
} from '../../shared/connection/createConnectionManager.ts';
import { initialSession } from '../../shared/reduceSession.ts';
import type { TabFeedMessage } from '../../shared/streamMessages.ts';

const ACTIVE = '2026-01-01T00:00:05.000Z';
const list: TabFeedMessage = {
  kind: 'list',
  message: {
    kind: 'snapshot',
    complete: true,
    sessions: [
      { ...initialSession({ id: 's1', title: 't', agent: 'a', createdAt: ACTIVE }), lastActivityAt: ACTIVE },
    ],
  },
};
const head = (sessionId: string, headSeq: number): TabFeedMessage => ({
  kind: 'session',
  sessionId,
  message: { kind: 'head', headSeq },
});
function ev(sessionId: string, seq: number, event: AgentEvent = { type: 'thought', text: `t${seq}` }) {
  const stored = { ...event, sessionId, seq, ts: ACTIVE } as StoredEvent;
  return { id: `${seq}.`, data: { kind: 'session', sessionId, message: { kind: 'event', event: stored } } };
}

/** Plays the connection manager: each attempt calls `open` like the real one and records the input. */
function fakeManager() {
  const inputs: unknown[] = [];
  let opts: ConnectionManagerOptions | undefined;
  let current: { unsubscribe(): void } | undefined;
  const handlers = {} as AttemptHandlers;
  const api = {
    live: {
      onFeed: {
        subscribe(input: unknown) {
          inputs.push(input);
          return { unsubscribe: () => {} };
        },
      },
    },
  };
  const attempt = () => {
    current?.unsubscribe();
    current = opts!.open(api as never, handlers);
  };
  const manager = {
    state: () => initialConnectionState(),
    subscribe: () => () => {},
    api: () => api as never,
    reportProgress: vi.fn(),
    reportReset: vi.fn(),
    restart: vi.fn(attempt),
    retryNow: vi.fn(),
    setMode: vi.fn(attempt),
    close: vi.fn(),
  } satisfies ConnectionManager;
  const connect = (o: ConnectionManagerOptions) => {
    opts = o;
    attempt();
    return manager;
  };
  return { connect, manager, inputs, reconnect: attempt, deliver: (v: unknown) => opts!.onData(v) };
}

let dispose: (() => void) | undefined;
afterEach(() => dispose?.());

function start(extra: Partial<TabFeedOptions> = {}) {
  const fake = fakeManager();
  const [sessionId, setSessionId] = createSignal<string | null>('s1');
  const feed = createRoot((d) => {
    dispose = d;
    return createTabFeed({ url: 'http://x', mode: 'ws', sessionId, connect: fake.connect, ...extra });
  });
  return { ...fake, feed, setSessionId };
}

describe('createTabFeed', () => {
  it('opens one feed without a cursor, then resumes from what it applied', async () => {
    const t = start();
    expect(t.inputs).toEqual([{ sessionId: 's1', lastEventId: undefined, batch: true }]);
    t.deliver(list);
    t.deliver(head('s1', 3));
    expect(t.manager.reportProgress).toHaveBeenLastCalledWith(3);
    expect(t.feed.phase()).toBe('live');
    for (const seq of [1, 2, 2, 3]) t.deliver(ev('s1', seq));
    await vi.waitFor(() => expect(t.feed.trail().events.map((e) => e.seq)).toEqual([1, 2, 3]));
    expect(t.manager.reportProgress).toHaveBeenLastCalledWith(0);
    expect(t.feed.byId('s1')?.title).toBe('t');
    t.deliver(ev('s1', 4));
    t.reconnect();
    // The queued event is applied before the cursor is taken.
    expect(t.inputs.at(-1)).toEqual({ sessionId: 's1', lastEventId: `4.${Date.parse(ACTIVE)}`, batch: true });
  });

  it('shows the first trail message at once, then gathers messages, applying them once they are batchMs old', () => {
    vi.useFakeTimers();
    try {
      const t = start({ batchMs: 16 });
      t.deliver(list);
      t.deliver(ev('s1', 1));
      // The first rows: no waiting for a timer that the browser runs after the backfill's network tasks.
      expect(t.feed.trail().events.map((e) => e.seq)).toEqual([1]);
      t.deliver(ev('s1', 2));
      t.deliver(ev('s1', 3));
      expect(t.feed.trail().events).toHaveLength(1);
      vi.advanceTimersByTime(10);
      t.deliver(ev('s1', 4));
      expect(t.feed.trail().events).toHaveLength(1);
      // Still no timer has fired, but the oldest queued message is batchMs old: applied with this one.
      const now = performance.now();
      vi.spyOn(performance, 'now').mockReturnValue(now + 20);
      t.deliver(ev('s1', 5));
      expect(t.feed.trail().events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    } finally {
      vi.restoreAllMocks();
      vi.useRealTimers();
    }
  });

  it('restarts on a new session with an empty trail while the list keeps its place', async () => {
    const t = start();
    t.deliver(list);
    t.deliver(ev('s1', 1));
    await vi.waitFor(() => expect(t.feed.trail().events).toHaveLength(1));
    t.setSessionId('s2');
    expect(t.manager.restart).toHaveBeenCalledTimes(1);
    expect(t.inputs.at(-1)).toEqual({ sessionId: 's2', lastEventId: `0.${Date.parse(ACTIVE)}`, batch: true });
    expect(t.feed.trail().events).toEqual([]);
    expect(t.feed.phase()).toBe('loading');
    t.deliver(ev('s1', 2));
    t.deliver(ev('s2', 1));
    await vi.waitFor(() =>
      expect(t.feed.trail().events.map((e) => [e.sessionId, e.seq])).toEqual([['s2', 1]]),
    );
  });

  it('clears the trail on reset and tells the manager', async () => {
    const t = start();
    t.deliver(ev('s1', 1));
    await vi.waitFor(() => expect(t.feed.trail().events).toHaveLength(1));
    t.deliver({
      kind: 'session',
      sessionId: 's1',
      message: { kind: 'reset', reason: 'ahead_of_head', headSeq: 5 },
    });
    t.deliver(head('s1', 5));
    expect(t.manager.reportReset).toHaveBeenCalledWith('ahead_of_head');
    expect(t.manager.reportProgress).toHaveBeenLastCalledWith(5);
    expect(t.feed.trail()).toMatchObject({ events: [], wasReset: true });
  });

  it('reports a session the server does not know as not found, not as a connection error', () => {
    const t = start();
    t.deliver({ kind: 'session_missing', sessionId: 's1' });
    expect(t.feed.phase()).toBe('not_found');
    expect(t.manager.reportReset).not.toHaveBeenCalled();
  });

  it('closes the manager when its owner is disposed', () => {
    const t = start();
    dispose!();
    dispose = undefined;
    expect(t.manager.close).toHaveBeenCalledTimes(1);
  });

  it('in auto mode waits for an SSE slot, and uses WebSocket when none is free', async () => {
    const busy = {
      request: (_name: string, _opts: LockOptions, cb: (lock: Lock | null) => unknown) =>
        Promise.resolve().then(() => cb(null)),
    } as unknown as LockManager;
    const t = start({ mode: 'auto', locks: busy });
    expect(t.inputs).toEqual([]);
    await vi.waitFor(() => expect(t.manager.setMode).toHaveBeenCalledWith('ws'));
    expect(t.inputs).toHaveLength(1);
  });

  it('in auto mode keeps SSE when it gets a slot', async () => {
    const free = {
      request: (name: string, _opts: LockOptions, cb: (lock: Lock | null) => unknown) =>
        Promise.resolve().then(() => cb({ name, mode: 'exclusive' } as Lock)),
    } as unknown as LockManager;
    const t = start({ mode: 'auto', locks: free });
    await vi.waitFor(() => expect(t.inputs).toHaveLength(1));
    expect(t.manager.setMode).not.toHaveBeenCalled();
  });
});
