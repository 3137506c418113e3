import type { ChangeStreamDocument } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { closeWireServersAfterEach, connect, startServer, watching } from '../support/wireServerHarness.ts';

closeWireServersAfterEach();

describe('mongo wire test server: deletes', () => {
  it('deletes one or many documents and reports how many', async () => {
    const server = await startServer();
    const { client } = await connect(server);
    const coll = client.db('app').collection<{ _id: string; s: string }>('events');
    await coll.insertMany([
      { _id: 'a:1', s: 'a' },
      { _id: 'a:2', s: 'a' },
      { _id: 'b:1', s: 'b' },
    ]);
    expect(await coll.deleteOne({ s: 'a' })).toMatchObject({ deletedCount: 1 });
    expect(await coll.deleteMany({ s: 'a' })).toMatchObject({ deletedCount: 1 });
    expect(await coll.deleteMany({ s: 'a' })).toMatchObject({ deletedCount: 0 });
    expect(await coll.deleteOne({ _id: 'nope' })).toMatchObject({ deletedCount: 0 });
    expect((await coll.find().toArray()).map((d) => d._id)).toEqual(['b:1']);
  });

  it('streams a delete with its documentKey and no fullDocument, through $or matches and a $project', async () => {
    const server = await startServer();
    const { client } = await connect(server);
    const db = client.db('app');
    // The shape of livetrail's own pipeline (mongoChangeFeed.ts).
    const stream = await watching(
      db.watch(
        [
          {
            $match: {
              $or: [
                { 'ns.coll': { $in: ['sessions', 'events'] }, operationType: { $in: ['insert', 'replace'] } },
                { 'ns.coll': 'sessions', operationType: 'delete' },
              ],
            },
          },
          { $project: { 'fullDocument.secret': 0, clusterTime: 0, wallTime: 0 } },
        ],
        { maxAwaitTimeMS: 200 },
      ),
    );
    const sessions = db.collection<{ _id: string; secret?: string; title?: string }>('sessions');
    const events = db.collection<{ _id: string; sessionId: string }>('events');
    await sessions.insertOne({ _id: 's1', secret: 'x', title: 't' });
    await events.insertMany([
      { _id: 's1:1', sessionId: 's1' },
      { _id: 's1:2', sessionId: 's1' },
    ]);
    await sessions.deleteOne({ _id: 's1' });
    await events.deleteMany({ sessionId: 's1' });
    await sessions.insertOne({ _id: 's2' });

    const seen: ChangeStreamDocument[] = [];
    for (let i = 0; i < 5; i++) seen.push(await stream.next());
    const coll = (e: ChangeStreamDocument) => ('ns' in e && 'coll' in e.ns ? e.ns.coll : null);
    const key = (e: ChangeStreamDocument) => ('documentKey' in e ? e.documentKey._id : null);
    expect(seen.map((e) => [e.operationType, coll(e), key(e)])).toEqual([
      ['insert', 'sessions', 's1'],
      ['insert', 'events', 's1:1'],
      ['insert', 'events', 's1:2'],
      ['delete', 'sessions', 's1'],
      ['insert', 'sessions', 's2'],
    ]);
    expect(seen[0]).toMatchObject({ fullDocument: { _id: 's1', title: 't' } });
    expect(seen[0]).not.toHaveProperty('fullDocument.secret');
    expect(seen[3]).not.toHaveProperty('fullDocument');
    expect(seen[3]).not.toHaveProperty('clusterTime');
  });
});
