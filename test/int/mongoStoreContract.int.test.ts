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

describeEventStoreContract('mongo (wire-protocol test server)', async () => {
  const store = await openMongoStore(wire.uri, freshDbName());
  return { store, dispose: () => store.close() };
});

// The same suite, unchanged, against a real replica set when one is given.
const realUri = process.env.MONGODB_TEST_URI;
if (realUri) {
  describeEventStoreContract('mongo (MONGODB_TEST_URI)', async () => {
    const dbName = freshDbName();
    const store = await openMongoStore(realUri, dbName);
    return {
      store,
      async dispose() {
        await store.close();
        await dropDb(realUri, dbName);
      },
    };
  });
}
