import type { ChangeStreamDocument, Document, MongoServerError } from 'mongodb';
import { describe, expect, it, vi } from 'vitest';
import {
  closeWireServersAfterEach,
  connect,
  fullDoc,
  startServer,
  streams,
  watching,
} from '../support/wireServerHarness.ts';

closeWireServersAfterEach();

describe('mongo wire test server', () => {
  it('answers ping and a replica-set hello naming exactly the uri host', async () => {
    const server = await startServer();
    const { client } = await connect(server);
    expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
    const hello = await client.db('admin').command({ hello: 1 });
    expect(hello).toMatchObject({ ok: 1, isWritablePrimary: true, setName: 'rs0', maxWireVersion: 21 });
    expect(hello.hosts).toEqual([`127.0.0.1:${server.port}`]);
    expect(hello).not.toHaveProperty('topologyVersion');
    await expect(client.db('admin').command({ noSuchThing: 1 })).rejects.toMatchObject({
      code: 59,
      codeName: 'CommandNotFound',
    });
  });

  it('finds with filters, dotted paths, sort, skip and limit', async () => {
    const server = await startServer();
    const { client } = await connect(server);
    const coll = client.db('app').collection('items');
    await coll.insertOne({ n: 1, meta: { kind: 'a' } });
    await coll.insertMany([
      { n: 2, meta: { kind: 'b' } },
      { n: 3, meta: { kind: 'a' }, tag: 'x' },
      { n: 4, meta: { kind: 'a' } },
    ]);
    const found = await coll
      .find({ 'meta.kind': 'a', n: { $gte: 2 } })
      .sort({ n: -1 })
      .limit(1)
      .toArray();
    expect(found.map((d) => d.n)).toEqual([4]);
    const page = await coll.find(
      { n: { $in: [1, 2, 3] } },
      { sort: { n: 1 }, skip: 1, projection: { _id: 0, n: 1 } },
    );
    expect(await page.toArray()).toEqual([{ n: 2 }, { n: 3 }]);
    expect(await coll.countDocuments({ tag: { $exists: true } })).toBe(1);
    expect(await coll.countDocuments({ n: { $ne: 2, $lt: 4 } })).toBe(2);
  });

  it('returns large results over several getMore batches', async () => {
    const server = await startServer();
    const { client, count } = await connect(server);
    const coll = client.db('app').collection('many');
    await coll.insertMany(Array.from({ length: 250 }, (_, i) => ({ i })));
    const all = await coll.find({}, { batchSize: 40 }).sort({ i: 1 }).toArray();
    expect(all.map((d) => d.i)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(count('getMore')).toBeGreaterThanOrEqual(6);
  });

  it('rejects a duplicate key on a unique index with code 11000', async () => {
    const server = await startServer();
    const { client } = await connect(server);
    const coll = client.db('app').collection('users');
    await coll.createIndex({ email: 1 }, { unique: true });
    await coll.insertOne({ email: 'a@x' });
    await expect(coll.insertOne({ email: 'a@x' })).rejects.toMatchObject({
      code: 11000,
      keyValue: { email: 'a@x' },
      message: expect.stringContaining(
        'E11000 duplicate key error collection: app.users index: email_1 dup key',
      ),
    });
    await expect(
      coll.insertMany([{ email: 'b@x' }, { email: 'a@x' }, { email: 'c@x' }], { ordered: false }),
    ).rejects.toMatchObject({ code: 11000, result: expect.objectContaining({ insertedCount: 2 }) });
    await expect(coll.updateOne({ email: 'b@x' }, { $set: { email: 'c@x' } })).rejects.toMatchObject({
      code: 11000,
    });
    expect((await coll.find().sort({ email: 1 }).toArray()).map((d) => d.email)).toEqual([
      'a@x',
      'b@x',
      'c@x',
    ]);
    expect((await coll.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'email_1']);
  });

  it('upserts and increments with findOneAndUpdate, then updates and deletes', async () => {
    const server = await startServer();
    const { client } = await connect(server);
    const coll = client
      .db('app')
      .collection<{ _id: string; n?: number; title?: string; done?: boolean }>('counters');
    const first = await coll.findOneAndUpdate(
      { _id: 'c1' },
      { $inc: { n: 1 }, $setOnInsert: { title: 'first' } },
      { upsert: true, returnDocument: 'after' },
    );
    expect(first).toEqual({ _id: 'c1', n: 1, title: 'first' });
    const second = await coll.findOneAndUpdate(
      { _id: 'c1' },
      { $inc: { n: 1 }, $setOnInsert: { title: 'no' } },
      { upsert: true },
    );
    expect(second).toEqual({ _id: 'c1', n: 1, title: 'first' });
    expect(await coll.findOne({ _id: 'c1' })).toEqual({ _id: 'c1', n: 2, title: 'first' });

    await coll.insertMany([{ _id: 'a' }, { _id: 'b' }, { _id: 'c' }]);
    const updated = await coll.updateOne({ _id: 'a' }, { $set: { done: true } });
    expect(updated).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    expect(await coll.updateOne({ _id: 'a' }, { $set: { done: true } })).toMatchObject({ modifiedCount: 0 });
    expect(await coll.deleteMany({ _id: { $in: ['a', 'b'] } })).toMatchObject({ deletedCount: 2 });
    expect((await coll.find().toArray()).map((d) => d._id)).toEqual(['c1', 'c']);
  });

  it('groups with aggregate $match and $group', async () => {
    const server = await startServer();
    const { client } = await connect(server);
    const coll = client.db('app').collection('events');
    await coll.insertMany([
      { s: 'x', seq: 1 },
      { s: 'x', seq: 2 },
      { s: 'y', seq: 7 },
    ]);
    const rows = await coll
      .aggregate([
        { $match: { s: 'x' } },
        { $group: { _id: '$s', maxSeq: { $max: '$seq' }, n: { $sum: 1 } } },
      ])
      .toArray();
    expect(rows).toEqual([{ _id: 'x', maxSeq: 2, n: 2 }]);
  });

  it('streams inserts and updates in commit order to db and collection change streams', async () => {
    const server = await startServer();
    const { client } = await connect(server);
    const db = client.db('app');
    const dbStream = await watching(
      db.watch([{ $match: { 'ns.coll': { $in: ['events'] } } }], {
        fullDocument: 'updateLookup',
        maxAwaitTimeMS: 200,
      }),
    );
    const collStream = await watching(db.collection('events').watch([], { maxAwaitTimeMS: 200 }));
    expect(server.openChangeStreamCursors()).toBe(2);

    const events = db.collection('events');
    await events.insertOne({ _id: 'e1', v: 1 } as Document);
    await db.collection('other').insertOne({ _id: 'o1' } as Document);
    await events.insertMany([{ _id: 'e2' }, { _id: 'e3' }] as Document[]);
    await events.updateOne({ _id: 'e1' } as Document, { $set: { v: 2, 'sub.x': 1 } });

    const fromDb: ChangeStreamDocument[] = [];
    for (let i = 0; i < 4; i++) fromDb.push(await dbStream.next());
    expect(fromDb.map((e) => [e.operationType, 'documentKey' in e ? e.documentKey._id : null])).toEqual([
      ['insert', 'e1'],
      ['insert', 'e2'],
      ['insert', 'e3'],
      ['update', 'e1'],
    ]);
    expect(fullDoc(fromDb[3]!)).toEqual({ _id: 'e1', v: 2, sub: { x: 1 } });
    expect(fromDb[3]).toMatchObject({
      ns: { db: 'app', coll: 'events' },
      updateDescription: { updatedFields: { v: 2, sub: { x: 1 } }, removedFields: [] },
    });
    const tokens = fromDb.map((e) => (e._id as { _data: string })._data);
    expect([...tokens].sort()).toEqual(tokens);

    const fromColl: ChangeStreamDocument[] = [];
    for (let i = 0; i < 4; i++) fromColl.push(await collStream.next());
    expect(fromColl.map((e) => e.operationType)).toEqual(['insert', 'insert', 'insert', 'update']);
    expect(fullDoc(fromColl[3]!)).toBeUndefined();

    await dbStream.close();
    await collStream.close();
    await vi.waitFor(() => expect(server.openChangeStreamCursors()).toBe(0));
  });

  it('resumes after a token with the event that followed it', async () => {
    const server = await startServer();
    const { client } = await connect(server);
    const coll = client.db('app').collection('events');
    const stream = await watching(coll.watch([], { maxAwaitTimeMS: 200 }));
    await coll.insertMany([{ _id: 1 }, { _id: 2 }, { _id: 3 }] as Document[]);
    const first = await stream.next();
    await stream.close();

    const resumed = coll.watch([], { resumeAfter: first._id, maxAwaitTimeMS: 200 });
    streams.push(resumed);
    const rest = [await resumed.next(), await resumed.next()];
    expect(rest.map((e) => ('documentKey' in e ? e.documentKey._id : null))).toEqual([2, 3]);
    expect(await resumed.tryNext()).toBeNull();
  });

  it('resumes without loss or duplicates when connections die during a getMore', async () => {
    const server = await startServer();
    const { client, count, inFlightCount } = await connect(server);
    const coll = client.db('app').collection('events');
    const stream = await watching(coll.watch());
    await coll.insertMany([{ _id: 'a' }, { _id: 'b' }] as Document[]);
    const seen = [await stream.next(), await stream.next()];

    const pending = stream.next();
    await vi.waitFor(() => expect(inFlightCount('getMore')).toBe(1));
    await server.killAllConnections();
    await coll.insertMany([{ _id: 'c' }, { _id: 'd' }] as Document[]);
    seen.push(await pending, await stream.next());

    expect(seen.map((e) => ('documentKey' in e ? e.documentKey._id : null))).toEqual(['a', 'b', 'c', 'd']);
    expect(count('aggregate')).toBe(2);
    // The interrupted getMore took its cursor with it; only the resumed stream's cursor is open.
    await vi.waitFor(() => expect(server.openChangeStreamCursors()).toBe(1));
  });

  it('resumes after a getMore fails with a ResumableChangeStreamError label', async () => {
    const server = await startServer();
    const { client, count } = await connect(server);
    const coll = client.db('app').collection('events');
    const stream = await watching(coll.watch([], { maxAwaitTimeMS: 200 }));
    await client.db('admin').command({
      configureFailPoint: 'failCommand',
      mode: { times: 1 },
      data: { failCommands: ['getMore'], errorCode: 280, errorLabels: ['ResumableChangeStreamError'] },
    });
    await coll.insertOne({ _id: 'x' } as Document);
    const event = await stream.next();
    expect(event).toMatchObject({ operationType: 'insert', documentKey: { _id: 'x' } });
    expect(count('aggregate')).toBe(2);
    await expect(stream.tryNext()).resolves.toBeNull();
  });

  it('fails a resume from truncated history with ChangeStreamHistoryLost 286', async () => {
    const server = await startServer();
    const { client } = await connect(server);
    const coll = client.db('app').collection('events');
    const stream = await watching(coll.watch([], { maxAwaitTimeMS: 200 }));
    await coll.insertOne({ _id: 1 } as Document);
    await stream.next();

    server.truncateChangeHistory();
    server.failCommand({
      mode: { times: 1 },
      data: { failCommands: ['getMore'], errorCode: 6, errorLabels: ['ResumableChangeStreamError'] },
    });
    const err = (await stream.next().catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(286);
    expect(err.codeName).toBe('ChangeStreamHistoryLost');

    const fresh = await watching(coll.watch([], { maxAwaitTimeMS: 200 }));
    await coll.insertOne({ _id: 2 } as Document);
    expect(await fresh.next()).toMatchObject({ documentKey: { _id: 2 } });
  });

  it('stores a retried insert once after failCommand closes the connection', async () => {
    const server = await startServer();
    const { client, count } = await connect(server);
    const coll = client.db('app').collection('events');
    await client.db('admin').command({
      configureFailPoint: 'failCommand',
      mode: { times: 1 },
      data: { failCommands: ['insert'], closeConnection: true },
    });
    await coll.insertOne({ _id: 'once' } as Document);
    expect(count('insert')).toBe(2);
    expect(await coll.countDocuments({})).toBe(1);
  });

  it('answers a resent retryable write from its first execution instead of applying it twice', async () => {
    const server = await startServer();
    const { client, count } = await connect(server);
    const coll = client.db('app').collection<{ _id: string; n: number }>('counters');
    await coll.insertOne({ _id: 'c', n: 0 });
    // Applies the write, then drops the connection before answering: the driver resends it.
    server.configureFailPoint('onPrimaryTransactionalWrite', { times: 1 }, { closeConnection: true });
    const after = await coll.findOneAndUpdate({ _id: 'c' }, { $inc: { n: 1 } }, { returnDocument: 'after' });
    expect(count('findAndModify')).toBe(2);
    expect(after).toEqual({ _id: 'c', n: 1 });
    expect(await coll.findOne({ _id: 'c' })).toEqual({ _id: 'c', n: 1 });
  });

  it('keeps data and change history across stop and start, and clients reconnect', async () => {
    const server = await startServer();
    const { client } = await connect(server);
    const coll = client.db('app').collection('events');
    const stream = await watching(coll.watch([], { maxAwaitTimeMS: 200 }));
    await coll.insertOne({ _id: 'before' } as Document);
    expect(await stream.next()).toMatchObject({ documentKey: { _id: 'before' } });

    await server.stop();
    expect(server.connectionCount()).toBe(0);
    expect(server.openChangeStreamCursors()).toBe(0);
    await server.start();

    expect(await coll.findOne({ _id: 'before' } as Document)).toEqual({ _id: 'before' });
    await coll.insertOne({ _id: 'after' } as Document);
    expect(await stream.next()).toMatchObject({ documentKey: { _id: 'after' } });
  });

  it('fails a command with the configured error code and labels', async () => {
    const server = await startServer();
    const { client } = await connect(server);
    server.failCommand({
      mode: { times: 1 },
      data: { failCommands: ['ping'], errorCode: 2, errorLabels: ['TestLabel'] },
    });
    const err = (await client
      .db('admin')
      .command({ ping: 1 })
      .catch((e: unknown) => e)) as MongoServerError;
    expect(err).toMatchObject({ code: 2, codeName: 'BadValue' });
    expect(err.hasErrorLabel('TestLabel')).toBe(true);
    expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
  });

  it('refuses change streams on a standalone server with code 40573', async () => {
    const server = await startServer({ standalone: true });
    expect(server.uri).not.toContain('replicaSet');
    const { client } = await connect(server);
    const hello = await client.db('admin').command({ hello: 1 });
    expect(hello).not.toHaveProperty('setName');
    const stream = client.db('app').collection('events').watch();
    streams.push(stream);
    await expect(stream.next()).rejects.toMatchObject({ code: 40573 });
    await client.db('app').collection('events').insertOne({ ok: true });
    expect(await client.db('app').collection('events').countDocuments()).toBe(1);
  });
});
