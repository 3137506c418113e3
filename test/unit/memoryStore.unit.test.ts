import { describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../server/store/journal.ts';
import { createMemoryStore } from '../../server/store/memoryStore.ts';
import { describeEventStoreContract } from '../support/eventStoreContract.ts';

describeEventStoreContract('memory', async () => {
  const store = createMemoryStore();
  return { store, dispose: () => store.close() };
});

describe('memory store with a failing journal', () => {
  it('rejects with UNAVAILABLE, shows nothing, and continues gap-free once writes work again', async () => {
    let failing = false;
    const written: JournalRecord[] = [];
    const store = createMemoryStore({
      journal: {
        async write(records) {
          if (failing) throw new Error('disk full');
          written.push(...records);
        },
        async close() {},
      },
    });
    const seen: number[] = [];
    store.watch((c) => {
      if (c.kind === 'events') seen.push(...c.events.map((e) => e.seq));
    });
    const s = await store.createSession({ title: 'x', agent: 'a' });
    await store.append(s.id, [{ type: 'thought', text: '1' }]);
    failing = true;
    await expect(store.append(s.id, [{ type: 'thought', text: 'lost' }])).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    expect((await store.getSession(s.id))!.lastSeq).toBe(1);
    expect(await store.readEvents(s.id, { after: 1, limit: 5 })).toEqual([]);
    failing = false;
    const [next] = await store.append(s.id, [{ type: 'thought', text: '2' }]);
    expect(next!.seq).toBe(2);
    expect(seen).toEqual([1, 2]);
    expect(written.filter((r) => r.op === 'events')).toHaveLength(2);
    await store.close();
  });
});
