import { type Document, MongoClient, type MongoServerError } from 'mongodb';
import { describe, expect, it, vi } from 'vitest';
import type { MongoWireServer } from '../support/mongoWire/createMongoWireServer.ts';
import {
  clients,
  closeWireServersAfterEach,
  connect,
  startServer,
  watching,
} from '../support/wireServerHarness.ts';

closeWireServersAfterEach();

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
