import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStore } from '../../server/store/memoryStore.ts';
import { startRetention } from '../../server/store/startRetention.ts';

const DAY = 86_400_000;

describe('startRetention', () => {
  const stops: Array<() => void> = [];
  afterEach(() => {
    for (const stop of stops.splice(0)) stop();
  });

  it('deletes finished sessions idle longer than the limit, and only those', async () => {
    let clock = Date.parse('2026-01-01T00:00:00.000Z');
    const store = createMemoryStore({ now: () => new Date(clock) });
    const make = async (title: string, finish: boolean) => {
      const s = await store.createSession({ title, agent: 'a' });
      await store.append(s.id, [
        finish ? { type: 'complete', status: 'succeeded' } : { type: 'thought', text: 'still going' },
      ]);
      return s.id;
    };
    const oldDone = await make('old finished', true);
    const oldRunning = await make('old running', false);
    clock += 20 * DAY;
    const recentDone = await make('recent finished', true);
    clock += 11 * DAY;

    const deleted: string[] = [];
    store.watch((c) => c.kind === 'deleted' && deleted.push(c.sessionId));
    const info = vi.fn();
    const retention = startRetention(store, {
      days: 30,
      log: { info, error: vi.fn() },
      now: () => new Date(clock),
    });
    stops.push(retention.stop);
    await vi.waitFor(() => expect(deleted).toEqual([oldDone]));
    expect(await store.getSession(oldRunning)).toBeDefined();
    expect(await store.getSession(recentDone)).toBeDefined();
    expect(info).toHaveBeenCalledWith(
      expect.stringMatching(
        /^retention: deleted 1 finished sessions idle since before 2026-01-02T00:00:00\.000Z$/,
      ),
    );

    clock += 20 * DAY;
    await expect(retention.sweep()).resolves.toBe(1);
    expect(deleted).toEqual([oldDone, recentDone]);
    expect(await store.getSession(oldRunning)).toBeDefined();
  });

  it('pages through more sessions than one page holds', async () => {
    let clock = Date.parse('2026-01-01T00:00:00.000Z');
    const store = createMemoryStore({ now: () => new Date(clock) });
    for (let i = 0; i < 1_203; i++) {
      const s = await store.createSession({ title: `s${i}`, agent: 'a' });
      await store.append(s.id, [{ type: 'complete', status: 'failed' }]);
    }
    clock += 2 * DAY;
    let deleted = 0;
    store.watch((c) => {
      if (c.kind === 'deleted') deleted++;
    });
    const retention = startRetention(store, {
      days: 1,
      log: { info: vi.fn(), error: vi.fn() },
      now: () => new Date(clock),
    });
    stops.push(retention.stop);
    await vi.waitFor(() => expect(deleted).toBe(1_203));
    expect(await store.listSessions()).toEqual([]);
  });

  it('sweeps again every interval until stopped, logs only when it deleted something, and logs a failed sweep', async () => {
    const store = createMemoryStore();
    const info = vi.fn();
    const error = vi.fn();
    const list = vi.spyOn(store, 'listSessions');
    const retention = startRetention(store, { days: 1, log: { info, error }, intervalMs: 20 });
    stops.push(retention.stop);
    await vi.waitFor(() => expect(list.mock.calls.length).toBeGreaterThanOrEqual(3));
    expect(info).not.toHaveBeenCalled();
    list.mockRejectedValueOnce(new Error('disk on fire'));
    await vi.waitFor(() => expect(error).toHaveBeenCalledWith('retention: sweep failed: disk on fire'));
    retention.stop();
    const calls = list.mock.calls.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(list.mock.calls.length).toBe(calls);
  });

  it('pages on from the last session of each page', async () => {
    let clock = Date.parse('2026-01-01T00:00:00.000Z');
    const store = createMemoryStore({ now: () => new Date(clock) });
    // 600 old sessions still running (never deleted) ahead of one old finished one.
    const done = await store.createSession({ title: 'done', agent: 'a' });
    await store.append(done.id, [{ type: 'complete', status: 'succeeded' }]);
    for (let i = 0; i < 600; i++) {
      clock += 1;
      await store.createSession({ title: `running ${i}`, agent: 'a' });
    }
    clock += 10 * DAY;
    const list = vi.spyOn(store, 'listSessions');
    const retention = startRetention(store, {
      days: 1,
      log: { info: vi.fn(), error: vi.fn() },
      now: () => new Date(clock),
      intervalMs: 3_600_000,
    });
    stops.push(retention.stop);
    await vi.waitFor(async () => expect(await store.getSession(done.id)).toBeUndefined());
    // 601 sessions in pages of 500: two reads, not one per session.
    expect(list).toHaveBeenCalledTimes(2);
  });
});
