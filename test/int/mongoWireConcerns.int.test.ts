import { type Document, MongoClient, type MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import {
  clients,
  closeWireServersAfterEach,
  connect,
  startServer,
  watching,
} from '../support/wireServerHarness.ts';

closeWireServersAfterEach();

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
