import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventStore } from '../../server/store/eventStore.ts';
import { JOURNAL_FILE, openFileJournal } from '../../server/store/fileJournal.ts';
import { createMemoryStore } from '../../server/store/memoryStore.ts';
import { describeEventStoreContract } from '../support/eventStoreContract.ts';

async function openFileStore(dir: string, warnings: string[] = []): Promise<EventStore> {
  const warn = (m: string) => warnings.push(m);
  const { journal, records } = await openFileJournal(dir, warn);
  return createMemoryStore({ kind: 'file', journal, initial: records, warn });
}

describeEventStoreContract(
  'file',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'livetrail-contract-'));
    let store = await openFileStore(dir);
    return {
      store,
      async reopen() {
        await store.close();
        store = await openFileStore(dir);
        return store;
      },
      async dispose() {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
  { durable: true },
);

describe('file store durability', () => {
  const dirs: string[] = [];
  const stores: EventStore[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close().catch(() => {});
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  async function fresh(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'livetrail-file-'));
    dirs.push(dir);
    return dir;
  }

  it('loses nothing across a restart', async () => {
    const dir = await fresh();
    const first = await openFileStore(dir);
    const s = await first.createSession({ title: 'keep', agent: 'a' });
    await first.append(s.id, [
      { type: 'assistant_message', text: 'one' },
      { type: 'cost', usd: 0.25, inputTokens: 3, outputTokens: 4 },
    ]);
    await first.append(s.id, [{ type: 'complete', status: 'succeeded', summary: 'done' }]);
    const before = await first.getSession(s.id);
    await first.close();

    const second = await openFileStore(dir);
    stores.push(second);
    expect(await second.getSession(s.id)).toEqual(before);
    const events = await second.readEvents(s.id, { after: 0, limit: 10 });
    expect(events.map((e) => e.type)).toEqual(['assistant_message', 'cost', 'complete']);
    await expect(second.append(s.id, [{ type: 'thought', text: 'late' }])).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('has every acknowledged append on disk before it resolves', async () => {
    const dir = await fresh();
    const store = await openFileStore(dir);
    stores.push(store);
    const s = await store.createSession({ title: 'x', agent: 'a' });
    await store.append(s.id, [{ type: 'thought', text: 'durable' }]);
    const text = await readFile(join(dir, JOURNAL_FILE), 'utf8');
    expect(text).toContain('"durable"');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('skips a torn last line with a warning and keeps starting', async () => {
    const dir = await fresh();
    const first = await openFileStore(dir);
    const s = await first.createSession({ title: 'x', agent: 'a' });
    await first.append(s.id, [{ type: 'thought', text: 'whole' }]);
    await first.close();
    await appendFile(join(dir, JOURNAL_FILE), '{"op":"events","sessionId":"');

    const warnings: string[] = [];
    const second = await openFileStore(dir, warnings);
    stores.push(second);
    expect(warnings.join('\n')).toMatch(/torn last line/);
    expect((await second.getSession(s.id))!.lastSeq).toBe(1);
    // The torn bytes are kept aside, and new appends continue cleanly after the cut.
    expect((await readdir(dir)).some((f) => f.includes('.torn-'))).toBe(true);
    await second.append(s.id, [{ type: 'thought', text: 'next' }]);
    await second.close();
    const third = await openFileStore(dir);
    stores.push(third);
    expect((await third.readEvents(s.id, { after: 0, limit: 10 })).map((e) => e.seq)).toEqual([1, 2]);
  });

  it('reads back a journal larger than one read chunk, lines split across chunks', async () => {
    const dir = await fresh();
    const first = await openFileStore(dir);
    const s = await first.createSession({ title: 'big', agent: 'a' });
    for (let i = 0; i < 30; i++) {
      await first.append(
        s.id,
        Array.from({ length: 10 }, () => ({ type: 'thought' as const, text: 'y'.repeat(5000 + i) })),
      );
    }
    await first.close();
    const second = await openFileStore(dir);
    stores.push(second);
    const events = await second.readEvents(s.id, { after: 0, limit: 1000 });
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect((await second.getSession(s.id))!.lastSeq).toBe(300);
  });

  it('skips an unreadable line in the middle with a warning', async () => {
    const dir = await fresh();
    const first = await openFileStore(dir);
    const s = await first.createSession({ title: 'x', agent: 'a' });
    await first.close();
    await appendFile(join(dir, JOURNAL_FILE), 'not json\n');
    const warnings: string[] = [];
    const second = await openFileStore(dir, warnings);
    stores.push(second);
    expect(warnings.join('\n')).toMatch(/line 2 unreadable/);
    expect(await second.getSession(s.id)).toBeDefined();
  });

  it('skips a batch whose seqs do not follow on', async () => {
    const dir = await fresh();
    const id = 'abcdefghijklmnop';
    const lines = [
      { op: 'session', session: { id, title: 't', agent: 'a', createdAt: '2026-01-01T00:00:00.000Z' } },
      {
        op: 'events',
        sessionId: id,
        events: [{ type: 'thought', text: 'a', sessionId: id, seq: 1, ts: 'x' }],
      },
      {
        op: 'events',
        sessionId: id,
        events: [{ type: 'thought', text: 'c', sessionId: id, seq: 3, ts: 'x' }],
      },
    ];
    await writeFile(join(dir, JOURNAL_FILE), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const warnings: string[] = [];
    const store = await openFileStore(dir, warnings);
    stores.push(store);
    expect(warnings.join('\n')).toMatch(/out of sequence/);
    expect((await store.getSession(id))!.lastSeq).toBe(1);
  });
});
