import { MongoClient } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EventStore, StoreChange } from '../../server/store/eventStore.ts';
import { LivetrailError } from '../../shared/livetrailError.ts';
import { type MongoWireServer, startMongoWireServer } from '../support/mongoWire/createMongoWireServer.ts';
import { freshDbName, openMongoStore } from '../support/openMongoFixture.ts';

let wire: MongoWireServer;
let raw: MongoClient;
beforeAll(async () => {
  wire = await startMongoWireServer();
  raw = new MongoClient(wire.uri, { serverSelectionTimeoutMS: 2000 });
  await raw.connect();
});
afterAll(async () => {
  await raw.close();
  await wire.stop();
});

const thought = (text: string) => ({ type: 'thought' as const, text });

describe('mongo store: deleting a session', () => {
  let dbName: string;
  let stores: EventStore[] = [];
  /** Two processes on the same database. */
  async function twoProcesses(): Promise<[EventStore, EventStore]> {
    dbName = freshDbName();
    stores = [await openMongoStore(wire.uri, dbName), await openMongoStore(wire.uri, dbName)];
    return [stores[0]!, stores[1]!];
  }
  /** What the database still holds of a session, collection by collection. */
  async function leftOf(sessionId: string) {
    const db = raw.db(dbName);
    return {
      sessions: await db.collection('sessions').countDocuments({ _id: sessionId as never }),
      events: await db.collection('events').countDocuments({ sessionId }),
      sessionKeys: await db.collection('sessionKeys').countDocuments({ 'session.id': sessionId }),
    };
  }
  afterEach(async () => {
    wire.failCommand({ mode: 'off' });
    await Promise.all(stores.map((s) => s.close()));
    stores = [];
  });

  it('leaves no session document, batch or key behind', async () => {
    const [a] = await twoProcesses();
    const s = await a.createSession({ title: 'x', agent: 'a', idempotencyKey: 'create-1' });
    await a.appendOnce(s.id, [thought('1')], 'batch-1');
    await a.append(s.id, [thought('2'), thought('3')]);
    expect(await leftOf(s.id)).toEqual({ sessions: 1, events: 2, sessionKeys: 1 });
    expect(await a.deleteSession(s.id)).toBe(true);
    expect(await leftOf(s.id)).toEqual({ sessions: 0, events: 0, sessionKeys: 0 });
  });

  it('refuses an append after a delete in the same process without writing anything', async () => {
    const [a] = await twoProcesses();
    const s = await a.createSession({ title: 'x', agent: 'a' });
    await a.append(s.id, [thought('1')]);
    await a.deleteSession(s.id);
    const logged = wire.commandLog().length;
    const late = await a.append(s.id, [thought('2')]).catch((e: unknown) => e);
    expect(late).toMatchObject({ code: 'NOT_FOUND' });
    expect(
      wire
        .commandLog()
        .slice(logged)
        .map((c) => c.commandName),
    ).not.toContain('insert');
  });

  it('announces the delete to every process through the change stream, once', async () => {
    const [a, b] = await twoProcesses();
    const s = await a.createSession({ title: 'x', agent: 'a', idempotencyKey: 'create-1' });
    await a.append(s.id, [thought('1')]);
    await a.append(s.id, [thought('2')]);
    const seen: StoreChange[] = [];
    b.watch((c) => seen.push(c));
    await a.deleteSession(s.id);
    // A change made after the delete: once it is seen, so is everything the delete did.
    const marker = await a.createSession({ title: 'marker', agent: 'a' });
    await vi.waitFor(() =>
      expect(seen.some((c) => c.kind === 'session' && c.session.id === marker.id)).toBe(true),
    );
    // Its batches' and keys' deletes are not announced.
    expect(seen.filter((c) => c.kind === 'deleted')).toEqual([{ kind: 'deleted', sessionId: s.id }]);
  });

  it('takes back a batch another process stored after the delete, and answers NOT_FOUND', async () => {
    const [a, b] = await twoProcesses();
    const s = await a.createSession({ title: 'x', agent: 'a' });
    // b now remembers the head it wrote, so its next append does not read the (gone) session.
    await b.append(s.id, [thought('1')]);
    await a.deleteSession(s.id);
    const late = await b.append(s.id, [thought('2')]).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(LivetrailError);
    expect((late as LivetrailError).code).toBe('NOT_FOUND');
    expect(await leftOf(s.id)).toEqual({ sessions: 0, events: 0, sessionKeys: 0 });
  });

  it('does not bring back a session whose keyed creation is retried while it is deleted', async () => {
    const [a, b] = await twoProcesses();
    const s = await a.createSession({ title: 'x', agent: 'a', idempotencyKey: 'create-1' });
    // b's retry finds the key, then its insert of the session document waits until the delete is done.
    wire.failCommand({
      mode: { times: 1 },
      data: { failCommands: ['insert'], blockConnection: true, blockTimeMS: 400 },
    });
    const logged = wire.commandLog().length;
    const retry = b.createSession({ title: 'x', agent: 'a', idempotencyKey: 'create-1' });
    await vi.waitFor(() =>
      expect(
        wire
          .commandLog()
          .slice(logged)
          .some((c) => c.commandName === 'insert'),
      ).toBe(true),
    );
    expect(await a.deleteSession(s.id)).toBe(true);
    const made = await retry;
    expect(made.id).not.toBe(s.id);
    expect(await a.getSession(s.id)).toBeUndefined();
    expect(await leftOf(s.id)).toEqual({ sessions: 0, events: 0, sessionKeys: 0 });
    expect((await a.listSessions()).map((x) => x.id)).toEqual([made.id]);
  });

  it('answers NOT_FOUND to a read that a delete overtakes, and raises no integrity alarm', async () => {
    const [a] = await twoProcesses();
    const s = await a.createSession({ title: 'x', agent: 'a' });
    for (const n of [1, 2, 3]) await a.append(s.id, [thought(String(n))]);
    // As if its document write had failed: readers fold every batch.
    await raw
      .db(dbName)
      .collection('sessions')
      .updateOne({ _id: s.id as never }, { $set: { lastSeq: 0 } });
    // Each read finds the session; its batch query then waits while the delete takes the document and
    // (as deleteMany may, midway) the middle batch.
    const overtaken = async (read: () => Promise<unknown>) => {
      wire.failCommand({
        mode: { skip: 1 },
        data: { failCommands: ['find'], blockConnection: true, blockTimeMS: 300, appName: 'livetrail' },
      });
      const logged = wire.commandLog().length;
      const result = read().then(
        (value) => ({ value }),
        (err: unknown) => ({ err }),
      );
      await vi.waitFor(() =>
        expect(
          wire
            .commandLog()
            .slice(logged)
            .filter((c) => c.commandName === 'find'),
        ).toHaveLength(2),
      );
      return result;
    };
    const db = raw.db(dbName);
    const getting = overtaken(() => a.getSession(s.id));
    await db.collection('sessions').deleteOne({ _id: s.id as never });
    await db.collection('events').deleteOne({ _id: `${s.id}:2` as never });
    expect(await getting).toEqual({ value: undefined });
    wire.failCommand({ mode: 'off' });
    // The same for readEvents: it found the document before it went.
    await db.collection('sessions').insertOne({ _id: s.id as never, lastSeq: 0 });
    const reading = overtaken(() => a.readEvents(s.id, { after: 0, limit: 10 }));
    await db.collection('sessions').deleteOne({ _id: s.id as never });
    const { err } = (await reading) as { err?: LivetrailError };
    expect(err).toBeInstanceOf(LivetrailError);
    expect(err!.code).toBe('NOT_FOUND');
    expect(a.health().detail).not.toMatch(/integrity/);
  });

  it('finishes a delete that stopped after removing the session document', async () => {
    const [a] = await twoProcesses();
    const s = await a.createSession({ title: 'x', agent: 'a', idempotencyKey: 'create-1' });
    await a.append(s.id, [thought('1')]);
    // As if the process died right after the commit point: the document is gone, the rest is not.
    await raw
      .db(dbName)
      .collection('sessions')
      .deleteOne({ _id: s.id as never });
    expect(await a.getSession(s.id)).toBeUndefined();
    expect(await leftOf(s.id)).toMatchObject({ sessions: 0, events: 1 });
    expect(await a.deleteSession(s.id)).toBe(false);
    expect(await leftOf(s.id)).toEqual({ sessions: 0, events: 0, sessionKeys: 0 });
  });
});
