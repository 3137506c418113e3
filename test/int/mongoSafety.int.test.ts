import { MongoClient, MongoNetworkError, MongoServerError } from 'mongodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventStore } from '../../server/store/eventStore.ts';
import { canResume } from '../../server/store/mongoChangeFeed.ts';
import type { AgentEvent } from '../../shared/agentEvent.ts';
import { LivetrailError } from '../../shared/livetrailError.ts';
import { type MongoFaultBackend, realFaultBackend, wireFaultBackend } from '../support/mongoFaultBackend.ts';
import { freshDbName, openMongoStore } from '../support/openMongoFixture.ts';

const thought = (text: string): AgentEvent => ({ type: 'thought', text });

function describeMongoSafety(name: string, open: () => Promise<MongoFaultBackend>) {
  describe(`mongo store safety: ${name}`, () => {
    let backend: MongoFaultBackend;
    let dbName: string;
    let raw: MongoClient;
    const stores: EventStore[] = [];
    beforeEach(async () => {
      backend = await open();
      dbName = freshDbName();
      raw = new MongoClient(backend.uri, { serverSelectionTimeoutMS: 2000 });
      await raw.connect();
    });
    afterEach(async () => {
      for (const s of stores.splice(0)) await s.close().catch(() => {});
      await raw.close();
      await backend.close();
    });
    async function openStore(): Promise<EventStore> {
      const store = await openMongoStore(backend.uri, dbName);
      stores.push(store);
      return store;
    }

    it('answers a failed write as UNAVAILABLE without changing health', async () => {
      const store = await openStore();
      const s = await store.createSession({ title: 'x', agent: 'a' });
      await backend.failCommand({ mode: { times: 1 }, data: { failCommands: ['insert'], errorCode: 2 } });
      const err = await store.append(s.id, [thought('refused')]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LivetrailError);
      expect((err as LivetrailError).code).toBe('UNAVAILABLE');
      expect(store.health()).toMatchObject({ ok: true, live: true });
      expect((await store.append(s.id, [thought('next')]))[0]!.seq).toBe(1);
    });

    it('keeps get, list and the session document true to the events after a failed document write', async () => {
      const store = await openStore();
      const s = await store.createSession({ title: 'x', agent: 'a' });
      await store.append(s.id, [thought('1')]);
      // The batch is stored; the session document's replace after it fails.
      await backend.failCommand({ mode: { times: 1 }, data: { failCommands: ['update'], errorCode: 2 } });
      await store.append(s.id, [{ type: 'complete', status: 'succeeded', summary: 'done' }]);
      expect(await store.getSession(s.id)).toMatchObject({ status: 'succeeded', lastSeq: 2 });
      const listed = await store.listSessions();
      expect(listed.find((x) => x.id === s.id)).toMatchObject({ status: 'succeeded', lastSeq: 2 });
      // The document itself catches up (repaired by a retry or by the readers' fold).
      const sessions = raw.db(dbName).collection<{ _id: string; status: string }>('sessions');
      await vi.waitFor(
        async () => expect(await sessions.findOne({ _id: s.id })).toMatchObject({ status: 'succeeded' }),
        {
          timeout: 5_000,
        },
      );
    });

    it('refuses to serve a session whose stored seqs have a gap, and says so in health', async () => {
      const store = await openStore();
      const s = await store.createSession({ title: 'x', agent: 'a' });
      await store.append(s.id, [thought('1')]);
      // Damage made by hand: a batch at seq 3 with seq 2 missing.
      const stray = { ...(await store.readEvents(s.id, { after: 0, limit: 1 }))[0]!, seq: 3, text: 'stray' };
      await raw
        .db(dbName)
        .collection('events')
        .insertOne({
          _id: `${s.id}:3`,
          sessionId: s.id,
          seq: 3,
          lastSeq: 3,
          ts: stray.ts,
          events: [stray],
          nonce: 'x',
        } as never);
      const err = await store.readEvents(s.id, { after: 0, limit: 10 }).catch((e: unknown) => e);
      expect((err as LivetrailError).code).toBe('UNAVAILABLE');
      expect((err as Error).message).toMatch(/storage integrity: .*gap: seq 2–2 missing/);
      expect(store.health().detail).toMatch(/integrity: 1 session/);
    });

    it('stores one batch when two processes race the same keyed batch', async () => {
      const a = await openStore();
      const b = await openStore();
      const s = await a.createSession({ title: 'x', agent: 'a' });
      const results = await Promise.all([
        a.appendOnce(s.id, [thought('once')], 'race'),
        b.appendOnce(s.id, [thought('once')], 'race'),
        a.appendOnce(s.id, [thought('once')], 'race'),
        b.appendOnce(s.id, [thought('once')], 'race'),
      ]);
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(await a.readEvents(s.id, { after: 0, limit: 10 })).toHaveLength(1);
    });
  });
}

describeMongoSafety('wire-protocol test server', wireFaultBackend);

const realUri = process.env.MONGODB_TEST_URI;
if (realUri) describeMongoSafety('MONGODB_TEST_URI', () => realFaultBackend(realUri));

describe('change stream resumability', () => {
  it('resumes after network trouble and the listed codes, and starts over after any other server error', () => {
    const server = (code: number, labels: string[] = []) => {
      const err = new MongoServerError({ code, errmsg: `code ${code}` });
      for (const l of labels) err.addErrorLabel(l);
      return err;
    };
    expect(canResume(new MongoNetworkError('reset'))).toBe(true);
    expect(canResume(server(10107))).toBe(true);
    expect(canResume(server(2, ['ResumableChangeStreamError']))).toBe(true);
    for (const code of [286, 280, 260]) expect(canResume(server(code))).toBe(false);
    expect(canResume(server(10107, ['NonResumableChangeStreamError']))).toBe(false);
  });
});
