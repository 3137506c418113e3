import { existsSync } from 'node:fs';
import { appendFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JOURNAL_FILE, openFileJournal } from '../../server/store/fileJournal.ts';
import { createMemoryStore } from '../../server/store/memoryStore.ts';
import { DB_FILE } from '../../server/store/sqliteSchema.ts';
import type { AgentEvent } from '../../shared/agentEvent.ts';
import { captureLog, tempDataDir } from '../support/sqliteFixture.ts';

/** The store `LIVETRAIL_STORE=file` used to open: the NDJSON journal under the memory store. */
async function openLegacyFileStore(dir: string) {
  const { journal, records } = await openFileJournal(dir, () => {});
  return createMemoryStore({ kind: 'file', journal, initial: records });
}

let data: Awaited<ReturnType<typeof tempDataDir>>;
afterEach(async () => {
  await data?.cleanup();
});

describe('importing the legacy journal on first start', () => {
  it('brings over sessions, events, totals and idempotency keys, and keeps the journal aside', async () => {
    data = await tempDataDir();
    const legacy = await openLegacyFileStore(data.dir);
    const a = await legacy.createSession({ title: 'kept', agent: 'a', idempotencyKey: 'create-a' });
    const batch: AgentEvent[] = [
      { type: 'assistant_message', text: 'one' },
      { type: 'cost', usd: 0.25, inputTokens: 3, outputTokens: 4 },
    ];
    const first = await legacy.appendOnce(a.id, batch, 'batch-1');
    await legacy.append(a.id, [{ type: 'complete', status: 'succeeded', summary: 'done' }]);
    const b = await legacy.createSession({ title: 'second', agent: 'b' });
    await legacy.append(b.id, [{ type: 'thought', text: 'hmm' }]);
    const gone = await legacy.createSession({ title: 'deleted', agent: 'c' });
    await legacy.deleteSession(gone.id);
    const before = { a: await legacy.getSession(a.id), b: await legacy.getSession(b.id) };
    const trail = await legacy.readEvents(a.id, { after: 0, limit: 10 });
    await legacy.close();

    const log = captureLog();
    const store = await data.open({ log: log.log });
    expect(await store.getSession(a.id)).toEqual(before.a);
    expect(await store.getSession(b.id)).toEqual(before.b);
    expect(await store.getSession(gone.id)).toBeUndefined();
    expect(await store.readEvents(a.id, { after: 0, limit: 10 })).toEqual(trail);
    expect((await store.listSessions()).map((s) => s.id).sort()).toEqual([a.id, b.id].sort());
    // Keys still answer their original results.
    await expect(store.appendOnce(a.id, batch, 'batch-1')).resolves.toEqual({
      events: first.events,
      duplicate: true,
    });
    expect((await store.createSession({ title: 'kept', agent: 'a', idempotencyKey: 'create-a' })).id).toBe(
      a.id,
    );

    const files = await readdir(data.dir);
    expect(files).not.toContain(JOURNAL_FILE);
    const aside = files.find((f) => f.startsWith(`${JOURNAL_FILE}.imported-`));
    expect(aside).toBeDefined();
    expect(log.info.at(-1)).toBe(
      `imported 2 sessions and 4 events from ${JOURNAL_FILE} into ${DB_FILE}; the journal is kept as ${join(data.dir, aside!)} (delete it once you no longer need it)`,
    );
  });

  it('follows the journal replay rules: torn tail left out, bad lines and out-of-sequence batches skipped', async () => {
    data = await tempDataDir();
    const id = 'abcdefghijklmnop';
    const lines = [
      { op: 'session', session: { id, title: 't', agent: 'a', createdAt: '2026-01-01T00:00:00.000Z' } },
      {
        op: 'events',
        sessionId: id,
        events: [{ type: 'thought', text: 'a', sessionId: id, seq: 1, ts: '2026-01-01T00:00:01.000Z' }],
      },
      'not json',
      {
        op: 'events',
        sessionId: id,
        events: [{ type: 'thought', text: 'c', sessionId: id, seq: 3, ts: '2026-01-01T00:00:02.000Z' }],
      },
      { op: 'events', sessionId: 'nobody', events: [] },
      {
        op: 'events',
        sessionId: id,
        events: [{ type: 'thought', text: 'b', sessionId: id, seq: 2, ts: '2026-01-01T00:00:03.000Z' }],
      },
    ];
    const text = lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');
    await writeFile(join(data.dir, JOURNAL_FILE), `${text}\n{"op":"events","sessionId":"`);
    const log = captureLog();
    const store = await data.open({ log: log.log });
    const warnings = log.warn.join('\n');
    expect(warnings).toMatch(/line 3 unreadable/);
    expect(warnings).toMatch(/out of sequence at seq 3, skipped/);
    expect(warnings).toMatch(/events for unknown session nobody, skipped/);
    expect(warnings).toMatch(/torn last line \(\d+ bytes\) left out/);
    expect(
      (await store.readEvents(id, { after: 0, limit: 10 })).map((e) => e.type === 'thought' && e.text),
    ).toEqual(['a', 'b']);
  });

  it('reads a journal larger than one read chunk, lines split across chunks', async () => {
    data = await tempDataDir();
    const legacy = await openLegacyFileStore(data.dir);
    const s = await legacy.createSession({ title: 'big', agent: 'a' });
    for (let i = 0; i < 30; i++) {
      await legacy.append(
        s.id,
        Array.from({ length: 10 }, () => ({ type: 'thought' as const, text: 'y'.repeat(5000 + i) })),
      );
    }
    await legacy.close();
    const store = await data.open();
    const events = await store.readEvents(s.id, { after: 0, limit: 1000 });
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });

  it('redoes an import that a crash interrupted, and ignores a journal once a database exists', async () => {
    data = await tempDataDir();
    const legacy = await openLegacyFileStore(data.dir);
    const s = await legacy.createSession({ title: 'again', agent: 'a' });
    await legacy.close();
    // What a crash mid-import leaves: a half-built database beside the untouched journal.
    await writeFile(join(data.dir, `${DB_FILE}.importing`), 'half a database');
    const store = await data.open();
    expect((await store.getSession(s.id))?.title).toBe('again');
    expect(existsSync(join(data.dir, `${DB_FILE}.importing`))).toBe(false);
    await store.close();

    await appendFile(join(data.dir, JOURNAL_FILE), '');
    const log = captureLog();
    await data.open({ log: log.log });
    expect(log.warn.some((m) => m.includes(`${JOURNAL_FILE} is ignored: ${DB_FILE} exists`))).toBe(true);
  });
});
