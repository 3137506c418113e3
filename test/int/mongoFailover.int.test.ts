import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventStore, StoreChange } from '../../server/store/eventStore.ts';
import type { StoredEvent } from '../../shared/agentEvent.ts';
import { isLivetrailError } from '../../shared/livetrailError.ts';
import { type MongoWireServer, startMongoWireServer } from '../support/mongoWire/createMongoWireServer.ts';
import { freshDbName, openMongoStore } from '../support/openMongoFixture.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mongo store on a replica set that fails over (wire-protocol test server)', () => {
  let wire: MongoWireServer;
  let dbName: string;
  const stores: EventStore[] = [];
  beforeEach(async () => {
    wire = await startMongoWireServer();
    dbName = freshDbName();
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close().catch(() => {});
    await wire.stop();
  });
  async function openStore(): Promise<EventStore> {
    const store = await openMongoStore(wire.uri, dbName);
    stores.push(store);
    return store;
  }

  it('sends majority write and read concerns and a time limit with every operation', async () => {
    const store = await openStore();
    wire.clearCommandLog();
    const s = await store.createSession({ title: 'x', agent: 'a', idempotencyKey: 'made' });
    await store.appendOnce(s.id, [{ type: 'thought', text: '1' }], 'k1');
    await store.append(s.id, [{ type: 'thought', text: '2' }]);
    await store.readEvents(s.id, { after: 0, limit: 10 });
    await store.getSession(s.id);
    await store.listSessions({ limit: 10 });
    const ours = wire.commandLog().filter((c) => c.db === dbName);
    const writes = ours.filter((c) => ['insert', 'update'].includes(c.commandName));
    const reads = ours.filter((c) => c.commandName === 'find');
    expect(writes.length).toBeGreaterThanOrEqual(5);
    expect(reads.length).toBeGreaterThanOrEqual(5);
    for (const c of writes) {
      expect(c.writeConcern, c.commandName).toMatchObject({ w: 'majority' });
      expect(c.maxTimeMS, c.commandName).toBeGreaterThan(0);
    }
    for (const c of reads) {
      expect(c.readConcern, c.commandName).toEqual({ level: 'majority' });
      expect(c.maxTimeMS, c.commandName).toBeGreaterThan(0);
    }
  });

  it('reports no writable primary within about a heartbeat of losing it, and healthy again after the election', async () => {
    const store = await openStore();
    expect(store.health().ok).toBe(true);
    const started = Date.now();
    const election = wire.stepDown({ electionMs: 4_000 });
    await vi.waitFor(() => expect(store.health()).toMatchObject({ ok: false }), {
      timeout: 3_500,
      interval: 50,
    });
    expect(Date.now() - started).toBeLessThan(3_500);
    expect(store.health().detail).toMatch(/no writable primary known/);
    await election;
    await vi.waitFor(() => expect(store.health().ok).toBe(true), { timeout: 5_000, interval: 50 });
  }, 15_000);

  it('through stepdowns and rollbacks: no gap, no overlap, no rolled-back event delivered, every acknowledged append once', async () => {
    const a = await openStore();
    const b = await openStore();
    const delivered = new Map<string, Map<number, StoredEvent>>();
    const stop = b.watch((c: StoreChange) => {
      if (c.kind !== 'events') return;
      const seen = delivered.get(c.sessionId) ?? new Map<number, StoredEvent>();
      delivered.set(c.sessionId, seen);
      for (const e of c.events) {
        // Delivered twice (a resync re-read) is fine only if it is the same event.
        const before = seen.get(e.seq);
        if (before) expect(e).toEqual(before);
        seen.set(e.seq, e);
      }
    });
    const sessions = [
      await a.createSession({ title: 's1', agent: 'x' }),
      await a.createSession({ title: 's2', agent: 'x' }),
    ];
    const acknowledged: { sessionId: string; text: string }[] = [];
    let failed = 0;
    let running = true;

    /** A producer: keyed batches, retried under the same key until stored or given up. */
    async function produce(store: EventStore, sessionId: string, tag: string) {
      for (let n = 0; running; n++) {
        const text = `${tag}-${n}`;
        for (let attempt = 0; attempt < 20; attempt++) {
          try {
            await store.appendOnce(sessionId, [{ type: 'thought', text }], text);
            acknowledged.push({ sessionId, text });
            break;
          } catch (err) {
            if (!isLivetrailError(err) || err.code !== 'UNAVAILABLE') throw err;
            if (attempt === 19) failed++;
            await sleep(20);
          }
        }
      }
    }
    const producers = [
      produce(a, sessions[0]!.id, 'a0'),
      produce(b, sessions[0]!.id, 'b0'),
      produce(a, sessions[1]!.id, 'a1'),
      produce(b, sessions[1]!.id, 'b1'),
    ];
    await sleep(300);
    await wire.stepDown({ rollback: true });
    await sleep(300);
    wire.pauseReplication();
    await sleep(100);
    // Writes acknowledged by no majority are exactly the ones a rollback may take back.
    await wire.stepDown({ rollback: true });
    await sleep(300);
    await wire.stepDown();
    await sleep(300);
    running = false;
    await Promise.all(producers);
    stop();

    expect(failed).toBe(0);
    expect(acknowledged.length).toBeGreaterThan(20);
    for (const s of sessions) {
      const stored = await a.readEvents(s.id, { after: 0, limit: 10_000 });
      expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
      const texts = stored.map((e) => (e.type === 'thought' ? e.text : ''));
      expect(new Set(texts).size).toBe(texts.length);
      const mine = acknowledged.filter((x) => x.sessionId === s.id).map((x) => x.text);
      expect(texts.filter((t) => mine.includes(t)).length).toBe(mine.length);
      for (const [seq, e] of delivered.get(s.id) ?? []) expect(stored[seq - 1]).toEqual(e);
      expect((await a.getSession(s.id))!.lastSeq).toBe(stored.length);
    }
  }, 30_000);
});
