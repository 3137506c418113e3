import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against each mutant: the unit tests of the mutated core modules and the
 * SQLite store's contract and import tests (which bind no port), in the node environment only. Kept apart from
 * vite.config.ts so `npm test` is unaffected.
 */
export default defineConfig({
  test: {
    // Resolved from this file: a relative root would be taken from the working directory.
    root: fileURLToPath(new URL('../..', import.meta.url)),
    environment: 'node',
    include: [
      'test/unit/reduceSession.unit.test.ts',
      'test/unit/connectionState.unit.test.ts',
      'test/unit/connectionStateProbe.unit.test.ts',
      'test/unit/createConnectionManager.unit.test.ts',
      'test/unit/createConnectionManagerProbe.unit.test.ts',
      'test/unit/createReachabilityProbe.unit.test.ts',
      'test/unit/planAppend.unit.test.ts',
      'test/unit/memoryStore.unit.test.ts',
      'test/unit/streamSessionEvents.unit.test.ts',
      'test/unit/streamSessionList.unit.test.ts',
      'test/unit/streamTabFeed.unit.test.ts',
      'test/unit/streamTabFeedBatch.unit.test.ts',
      'test/unit/batchCatchUp.unit.test.ts',
      'test/unit/followSessionEvents.unit.test.ts',
      'test/unit/createHub.unit.test.ts',
      'test/unit/encodeOnce.unit.test.ts',
      'test/unit/sharedMessages.unit.test.ts',
      'test/unit/createWakeup.unit.test.ts',
      'test/unit/createJournalWriter.unit.test.ts',
      'test/unit/fileJournal.unit.test.ts',
      'test/unit/batchChain.unit.test.ts',
      'test/unit/sessionCursor.unit.test.ts',
      'test/unit/idempotentRetryLink.unit.test.ts',
      'test/unit/groupCommit.unit.test.ts',
      'test/unit/tailCache.unit.test.ts',
      'test/unit/startRetention.unit.test.ts',
      'test/int/sqliteStore.int.test.ts',
      'test/int/sqliteImport.int.test.ts',
      'test/int/sqliteFaults.int.test.ts',
    ],
    testTimeout: 20_000,
  },
});
