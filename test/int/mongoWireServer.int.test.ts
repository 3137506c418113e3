import {
  type ChangeStream,
  type ChangeStreamDocument,
  type Document,
  MongoClient,
  type MongoServerError,
} from 'mongodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type MongoWireServer,
  type MongoWireServerOptions,
  startMongoWireServer,
} from '../support/mongoWire/createMongoWireServer.ts';

const servers: MongoWireServer[] = [];
const clients: MongoClient[] = [];
const streams: ChangeStream[] = [];

afterEach(async () => {
  for (const s of streams.splice(0)) await s.close().catch(() => {});
  for (const c of clients.splice(0)) await c.close().catch(() => {});
  for (const s of servers.splice(0)) await s.stop();
});

async function startServer(opts: MongoWireServerOptions = {}): Promise<MongoWireServer> {
  const server = await startMongoWireServer(opts);
  servers.push(server);
  return server;
}

/** A connected client that records the names of the commands it starts and how many are in flight. */
async function connect(server: MongoWireServer) {
  const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 2000, monitorCommands: true });
  clients.push(client);
  const started: string[] = [];
  const inFlight = new Map<number, string>();
  client.on('commandStarted', (e) => {
    started.push(e.commandName);
    inFlight.set(e.requestId, e.commandName);
  });
  client.on('commandSucceeded', (e) => inFlight.delete(e.requestId));
  client.on('commandFailed', (e) => inFlight.delete(e.requestId));
  await client.connect();
  const count = (name: string) => started.filter((n) => n === name).length;
  const inFlightCount = (name: string) => [...inFlight.values()].filter((n) => n === name).length;
  return { client, count, inFlightCount };
}

/** Opens a change stream and makes sure its aggregate ran, so later writes are seen. */
async function watching<T extends Document>(stream: ChangeStream<T>): Promise<ChangeStream<T>> {
  streams.push(stream as unknown as ChangeStream);
  expect(await stream.tryNext()).toBeNull();
  return stream;
}

function fullDoc(e: ChangeStreamDocument): Document | null | undefined {
  return 'fullDocument' in e ? e.fullDocument : undefined;
}

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

describe('mongo wire test server: concerns, limits and labels', () => {
  it('logs the concerns, maxTimeMS and session of every command it receives', async () => {
    const server = await startServer();
    const client = new MongoClient(server.uri, {
      serverSelectionTimeoutMS: 2000,
      writeConcern: { w: 'majority', wtimeoutMS: 1000 },
      readConcern: { level: 'majority' },
    });
    clients.push(client);
    const coll = client.db('app').collection('items');
    server.clearCommandLog();
    // Driver 7.9 ignores timeoutMS (deprecated, "no effect"); maxTimeMS is sent when given per operation.
    await coll.insertOne({ _id: 1 } as Document, { maxTimeMS: 5000 });
    await coll.findOne({}, { maxTimeMS: 5000 });
    const log = server.commandLog().filter((c) => c.commandName === 'insert' || c.commandName === 'find');
    expect(log.map((c) => c.commandName)).toEqual(['insert', 'find']);
    expect(log[0]).toMatchObject({ db: 'app', writeConcern: { w: 'majority' }, txnNumber: 1 });
    expect(log[0]!.lsid).toHaveProperty('id');
    expect(log[1]).toMatchObject({ db: 'app', readConcern: { level: 'majority' } });
    for (const c of log) expect(c.maxTimeMS).toBe(5000);
    server.clearCommandLog();
    expect(server.commandLog()).toEqual([]);
  });

  it('expires a command blocked by a fail point past its maxTimeMS with MaxTimeMSExpired 50', async () => {
    const server = await startServer();
    const { client } = await connect(server);
    server.failCommand({
      mode: { times: 1 },
      data: { failCommands: ['ping'], blockConnection: true, blockTimeMS: 2000 },
    });
    const started = Date.now();
    await expect(client.db('admin').command({ ping: 1, maxTimeMS: 100 })).rejects.toMatchObject({
      code: 50,
      codeName: 'MaxTimeMSExpired',
    });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('rejects documents over 16 MiB on insert (2) and update (17419) and reports the limits in hello', async () => {
    const server = await startServer();
    const { client } = await connect(server);
    const hello = await client.db('admin').command({ hello: 1 });
    expect(hello).toMatchObject({ maxBsonObjectSize: 16_777_216, maxMessageSizeBytes: 48_000_000 });
    const db = client.db('app');
    const tooBig = 'x'.repeat(16 * 1024 * 1024);
    const insert = await db.command({ insert: 'big', documents: [{ _id: 1, s: tooBig }] });
    expect(insert.writeErrors[0]).toMatchObject({ index: 0, code: 2 });
    expect(insert.writeErrors[0].errmsg).toContain('object to insert too large');
    const coll = db.collection('big');
    await coll.insertOne({ _id: 2, a: 'a'.repeat(9 * 1024 * 1024) } as Document);
    const err = (await coll
      .updateOne({ _id: 2 } as Document, { $set: { b: 'b'.repeat(9 * 1024 * 1024) } })
      .catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(17419);
    expect(await coll.countDocuments({ b: { $exists: true } })).toBe(0);
  });

  it('labels only errors raised after the cursor checkout as ResumableChangeStreamError, like mongod', async () => {
    const server = await startServer();
    const { client, count } = await connect(server);
    const coll = client.db('app').collection('events');
    const stream = await watching(coll.watch([], { maxAwaitTimeMS: 200 }));
    server.configureFailPoint('failGetMoreAfterCursorCheckout', { times: 1 }, { errorCode: 6 });
    await coll.insertOne({ _id: 'resumed' } as Document);
    expect(await stream.next()).toMatchObject({ documentKey: { _id: 'resumed' } });
    expect(count('aggregate')).toBe(2);

    // failCommand fires before the cursor is known, so mongod adds no label and the driver gives up.
    server.failCommand({ mode: { times: 1 }, data: { failCommands: ['getMore'], errorCode: 6 } });
    await coll.insertOne({ _id: 'lost' } as Document);
    const err = (await stream.next().catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(6);
    expect(err.errorLabels).toEqual([]);
  });

  it('labels a fatal change stream error NonResumableChangeStreamError', async () => {
    const server = await startServer();
    const { client } = await connect(server);
    const coll = client.db('app').collection('events');
    const stream = await watching(coll.watch([{ $project: { _id: 0 } }], { maxAwaitTimeMS: 200 }));
    await coll.insertOne({ _id: 1 } as Document);
    const err = (await stream.next().catch((e: unknown) => e)) as MongoServerError;
    expect(err).toMatchObject({ code: 280, codeName: 'ChangeStreamFatalError' });
    expect(err.hasErrorLabel('NonResumableChangeStreamError')).toBe(true);
  });

  it('answers a writeConcernError fail point with its errorLabels, or RetryableWriteError by default', async () => {
    const server = await startServer();
    const { client, count } = await connect(server);
    const coll = client.db('app').collection('items');
    server.failCommand({
      mode: { times: 1 },
      data: {
        failCommands: ['insert'],
        errorLabels: ['TestLabel'],
        writeConcernError: { code: 91, errmsg: 'Replication is being shut down' },
      },
    });
    const err = (await coll.insertOne({ _id: 1 } as Document).catch((e: unknown) => e)) as MongoServerError;
    expect(err.errorLabels).toContain('TestLabel');
    expect(err.errorLabels).not.toContain('RetryableWriteError');
    expect(count('insert')).toBe(1);
    server.failCommand({
      mode: { times: 1 },
      data: { failCommands: ['insert'], writeConcernError: { code: 91, errmsg: 'shutting down' } },
    });
    await coll.insertOne({ _id: 2 } as Document);
    expect(count('insert')).toBe(3); // retried after the RetryableWriteError label
    expect(await coll.countDocuments({})).toBe(2);
  });

  it('projects literals, $literal, field paths and nested computed fields in aggregate $project', async () => {
    const server = await startServer();
    const { client } = await connect(server);
    const coll = client.db('app').collection('items');
    await coll.insertOne({ _id: 1, a: { b: 2, c: 3 }, d: 4 } as Document);
    const [doc] = await coll
      .aggregate([
        {
          $project: {
            d: 1,
            kind: 'fixed',
            one: { $literal: 1 },
            ab: '$a.b',
            'x.y': '$d',
            n: { b: '$a.b', missing: '$nope' },
          },
        },
      ])
      .toArray();
    expect(doc).toEqual({ _id: 1, d: 4, kind: 'fixed', one: 1, ab: 2, x: { y: 4 }, n: { b: 2 } });
    const [excluded] = await coll.aggregate([{ $project: { _id: 0, 'a.c': 0 } }]).toArray();
    expect(excluded).toEqual({ a: { b: 2 }, d: 4 });
    await expect(coll.aggregate([{ $project: { d: 0, kind: 'x' } }]).toArray()).rejects.toMatchObject({
      code: 31253,
    });
  });
});

describe('mongo wire test server: replication and stepdown', () => {
  /** A client whose writes need only the primary (w: 1), so they return while replication is paused. */
  async function connectW1(server: MongoWireServer) {
    const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000, writeConcern: { w: 1 } });
    clients.push(client);
    await client.connect();
    return client;
  }

  it('hides paused writes from majority reads and change streams until replication resumes', async () => {
    const server = await startServer();
    const client = await connectW1(server);
    const coll = client.db('app').collection('items');
    const stream = await watching(coll.watch([], { maxAwaitTimeMS: 100 }));
    server.pauseReplication();
    await coll.insertOne({ _id: 1 } as Document);
    expect(await coll.countDocuments({})).toBe(1);
    const majority = client.db('app').collection('items', { readConcern: { level: 'majority' } });
    expect(await majority.find({}).toArray()).toEqual([]);
    expect(await stream.tryNext()).toBeNull();
    server.resumeReplication();
    expect(await majority.find({}).toArray()).toEqual([{ _id: 1 }]);
    expect(await stream.next()).toMatchObject({ operationType: 'insert', documentKey: { _id: 1 } });
  });

  it('holds majority writes while paused: until resumed, or wtimeout (64) or maxTimeMS (50)', async () => {
    const server = await startServer();
    const client = await connectW1(server);
    const coll = client.db('app').collection('items');
    server.pauseReplication();
    const timedOut = (await coll
      .insertOne({ _id: 1 } as Document, { writeConcern: { w: 'majority', wtimeoutMS: 100 } })
      .catch((e: unknown) => e)) as MongoServerError;
    expect(timedOut).toMatchObject({ code: 64, codeName: 'WriteConcernFailed' });
    const expired = (await coll
      .insertOne({ _id: 2 } as Document, { writeConcern: { w: 'majority' }, maxTimeMS: 100 })
      .catch((e: unknown) => e)) as MongoServerError;
    expect(expired).toMatchObject({ code: 50, codeName: 'MaxTimeMSExpired' });
    let acknowledged = false;
    const waiting = coll.insertOne({ _id: 3 } as Document, { writeConcern: { w: 'majority' } }).then(() => {
      acknowledged = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(acknowledged).toBe(false);
    server.resumeReplication();
    await waiting;
    expect(await coll.countDocuments({})).toBe(3); // timed-out writes were applied all the same
  });

  it('steps down: no primary during the election, and the driver retries a write on the new primary', async () => {
    const server = await startServer();
    const { client } = await connect(server);
    const coll = client.db('app').collection('items');
    await coll.insertOne({ _id: 0 } as Document);
    const direct = new MongoClient(`mongodb://127.0.0.1:${server.port}/?directConnection=true`);
    clients.push(direct);
    const before = await direct.db('admin').command({ hello: 1 });
    const elected = server.stepDown({ electionMs: 300 });
    const during = await direct.db('admin').command({ hello: 1 });
    expect(during).toMatchObject({ isWritablePrimary: false, secondary: true });
    expect(during).not.toHaveProperty('primary');
    server.clearCommandLog();
    await coll.insertOne({ _id: 1 } as Document);
    await elected;
    const inserts = server.commandLog().filter((c) => c.commandName === 'insert');
    expect(inserts.length).toBe(2); // NotWritablePrimary, then the retry once elected
    expect(inserts[0]!.txnNumber).toBe(inserts[1]!.txnNumber);
    const after = await direct.db('admin').command({ hello: 1 });
    expect(after.electionId.toHexString() > before.electionId.toHexString()).toBe(true);
    expect(await coll.countDocuments({})).toBe(2);
  });

  it('interrupts a write waiting for majority at a stepdown; the retry keeps it once', async () => {
    const server = await startServer();
    const { client } = await connect(server);
    const coll = client.db('app').collection('items');
    server.pauseReplication();
    const waiting = coll.insertOne({ _id: 'w' } as Document, { writeConcern: { w: 'majority' } });
    await vi.waitFor(() => expect(server.commandLog().some((c) => c.commandName === 'insert')).toBe(true));
    await server.stepDown({ electionMs: 100 });
    await waiting;
    // Answered writeConcernError PrimarySteppedDown (189) + RetryableWriteError, then retried once elected.
    expect(server.commandLog().filter((c) => c.commandName === 'insert')).toHaveLength(2);
    expect(await coll.find({}).toArray()).toEqual([{ _id: 'w' }]);
  });

  it('rolls back unreplicated writes at a stepdown with rollback, as if they never happened', async () => {
    const server = await startServer();
    const client = await connectW1(server);
    const { client: retrying } = await connect(server);
    const coll = client.db('app').collection<{ _id: string; v?: number }>('items');
    await coll.insertOne({ _id: 'kept', v: 1 });
    const stream = await watching(coll.watch([], { maxAwaitTimeMS: 100 }));
    server.pauseReplication();
    await coll.insertOne({ _id: 'lost' });
    await coll.updateOne({ _id: 'kept' }, { $set: { v: 2 } });
    const inFlight = retrying
      .db('app')
      .collection('items')
      .insertOne({ _id: 'redone' } as Document, { writeConcern: { w: 'majority' } });
    await vi.waitFor(() =>
      expect(
        server
          .commandLog()
          .some(
            (c) =>
              c.txnNumber !== undefined && c.commandName === 'insert' && c.writeConcern?.w === 'majority',
          ),
      ).toBe(true),
    );
    await server.stepDown({ rollback: true, electionMs: 100 });
    await inFlight; // its connection closed; the retry ran again since its record was rolled back too
    expect(await coll.find({}, { sort: { _id: 1 } }).toArray()).toEqual([
      { _id: 'kept', v: 1 },
      { _id: 'redone' },
    ]);
    await coll.insertOne({ _id: 'next' });
    const seen: unknown[] = [];
    for (let e = await stream.next(); ; e = await stream.next()) {
      seen.push('documentKey' in e ? e.documentKey._id : e.operationType);
      if (seen.includes('next')) break;
    }
    expect(seen).toEqual(['redone', 'next']);
  });
});
