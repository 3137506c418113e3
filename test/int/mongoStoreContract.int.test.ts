import { afterAll, beforeAll } from 'vitest';
import { describeEventStoreContract } from '../support/eventStoreContract.ts';
import { type MongoWireServer, startMongoWireServer } from '../support/mongoWire/createMongoWireServer.ts';
import { dropDb, freshDbName, openMongoStore } from '../support/openMongoFixture.ts';

let wire: MongoWireServer;
beforeAll(async () => {
  wire = await startMongoWireServer();
});
afterAll(async () => {
  await wire.stop();
});

describeEventStoreContract(
  'mongo (wire-protocol test server)',
  async () => {
    const dbName = freshDbName();
    const stores = [await openMongoStore(wire.uri, dbName)];
    return {
      store: stores[0]!,
      // Another process on the same database.
      reopen: async () => stores[stores.push(await openMongoStore(wire.uri, dbName)) - 1]!,
      dispose: async () => {
        await Promise.all(stores.map((s) => s.close()));
      },
    };
  },
  { durable: true },
);

// The same suite, unchanged, against a real replica set when one is given.
const realUri = process.env.MONGODB_TEST_URI;
if (realUri) {
  describeEventStoreContract(
    'mongo (MONGODB_TEST_URI)',
    async () => {
      const dbName = freshDbName();
      const stores = [await openMongoStore(realUri, dbName)];
      return {
        store: stores[0]!,
        reopen: async () => stores[stores.push(await openMongoStore(realUri, dbName)) - 1]!,
        async dispose() {
          await Promise.all(stores.map((s) => s.close()));
          await dropDb(realUri, dbName);
        },
      };
    },
    { durable: true },
  );
}
