// @ts-check
/**
 * `npm run mutate`: Stryker over livetrail's core modules, with the vitest runner and the tests in
 * ./vitest.config.ts. TypeScript 7 has no compiler API, so Stryker's TypeScript checker is off and
 * `tsconfigFile` points at a file that does not exist (Stryker would otherwise try to read it).
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'test/mutation/vitest.config.ts', related: false },
  tsconfigFile: 'test/mutation/no-tsconfig.json',
  mutate: [
    'shared/reduceSession.ts',
    'shared/connection/connectionState.ts',
    'shared/connection/createConnectionManager.ts',
    'shared/connection/connectionPolicy.ts',
    'shared/connection/createReachabilityProbe.ts',
    'server/domain/planAppend.ts',
    'server/domain/idempotency.ts',
    'server/domain/requestKey.ts',
    'server/domain/sessionCursor.ts',
    'server/store/batchChain.ts',
    'shared/connection/idempotentRetryLink.ts',
    'server/hub/followSessionEvents.ts',
    'server/hub/followTabFeed.ts',
    'server/hub/batchCatchUp.ts',
    'server/hub/sink.ts',
    'server/hub/streamSessionEvents.ts',
    'server/hub/streamSessionList.ts',
    'server/hub/streamTabFeed.ts',
    'server/hub/createHub.ts',
    'server/hub/createWakeup.ts',
    'server/http/encodeOnce.ts',
    'server/store/memoryStore.ts',
    'server/store/journal.ts',
    'server/store/fileJournal.ts',
    'server/store/groupCommit.ts',
    'server/store/plannedSessions.ts',
    'server/store/tailCache.ts',
    'server/store/sqliteStore.ts',
    'server/store/sqliteWrites.ts',
    'server/store/sqliteReads.ts',
    'server/store/importJournal.ts',
    'server/store/startRetention.ts',
  ],
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: 'reports/.stryker-tmp',
  // Never copy reports (other runs' sandboxes), builds or test output into the sandbox.
  ignorePatterns: ['/reports', '/dist', '/test-results', '/.livetrail-data'],
  concurrency: 2,
  timeoutMS: 10_000,
  thresholds: { high: 85, low: 80, break: null },
  ignoreStatic: true,
};
