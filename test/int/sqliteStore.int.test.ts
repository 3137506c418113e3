import { describeEventStoreContract } from '../support/eventStoreContract.ts';
import { tempDataDir } from '../support/sqliteFixture.ts';

for (const mode of ['thread', 'inline'] as const) {
  describeEventStoreContract(
    `sqlite (${mode} writer)`,
    async () => {
      const data = await tempDataDir();
      let store = await data.open({ writer: { mode } });
      return {
        store,
        async reopen() {
          await store.close();
          store = await data.open({ writer: { mode } });
          return store;
        },
        dispose: () => data.cleanup(),
      };
    },
    { durable: true },
  );
}
