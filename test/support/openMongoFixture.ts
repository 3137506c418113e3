import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { createLogger } from '../../server/logger.ts';
import type { EventStore } from '../../server/store/eventStore.ts';
import { createMongoStore } from '../../server/store/mongoStore.ts';

/** A fresh database name, so tests sharing one server never see each other's data. */
export function freshDbName(): string {
  return `lt_test_${randomBytes(6).toString('hex')}`;
}

/**
 * Opens the Mongo store on `uri` in database `dbName`, with quick retries for tests. `onWarn` sees
 * the details of every warning the store logs (e.g. a change stream failure and its code).
 */
export function openMongoStore(
  uri: string,
  dbName: string,
  onWarn?: (details: { code?: number; msg?: string }) => void,
): Promise<EventStore> {
  // LIVETRAIL_TEST_LOG=warn also prints them while debugging a test.
  const log = createLogger(process.env.LIVETRAIL_TEST_LOG ?? (onWarn ? 'warn' : 'silent'));
  if (onWarn) {
    const warn = log.warn.bind(log);
    log.warn = ((details: object, msg?: string) => {
      onWarn({ ...(details as { code?: number }), msg });
      if (process.env.LIVETRAIL_TEST_LOG) warn(details, msg);
    }) as typeof log.warn;
  }
  return createMongoStore({
    uri,
    dbName,
    log,
    serverSelectionTimeoutMS: 1500,
    feedRetryMs: 50,
  });
}

/** Drops a test database (on a real server, so runs do not pile up). */
export async function dropDb(uri: string, dbName: string): Promise<void> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 1500 });
  try {
    await client.db(dbName).dropDatabase();
  } finally {
    await client.close();
  }
}
