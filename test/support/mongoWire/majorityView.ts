import { canonicalKey, cloneValue, type Doc } from './bsonValues.ts';
import type { ChangeEntry, ChangeLog } from './changeLog.ts';
import type { Catalog, MongoCollection } from './collections.ts';

/** What the entry changed in a document, undone: the document to restore, or null to remove it. */
function undoneDocument(e: ChangeEntry): Doc | null | undefined {
  if (e.operationType === 'insert') return null;
  if (e.operationType === 'update' || e.operationType === 'replace' || e.operationType === 'delete')
    return e.preImage;
  return undefined; // DDL entries are not undone
}

/**
 * The collection's documents as of the majority commit point (what readConcern majority sees):
 * the current documents with every uncommitted write undone, newest first.
 */
export function majorityDocuments(log: ChangeLog, collection: MongoCollection): Doc[] {
  const pending = log
    .uncommitted()
    .filter((e) => e.db === collection.db && e.coll === collection.name && e.documentKey);
  if (pending.length === 0) return collection.all();
  const docs = new Map(collection.all().map((d) => [canonicalKey(d._id), d] as const));
  for (const e of pending) {
    const restored = undoneDocument(e);
    const key = canonicalKey(e.documentKey!._id);
    if (restored === null) docs.delete(key);
    else if (restored) docs.set(key, restored);
  }
  return [...docs.values()];
}

/** Undoes the given entries (newest first) in the catalog, restoring documents to their earlier state. */
export function undoEntries(catalog: Catalog, entries: ChangeEntry[]): void {
  for (const e of entries) {
    const collection = e.coll === undefined ? undefined : catalog.get(e.db, e.coll);
    const restored = undoneDocument(e);
    if (!collection || !e.documentKey || restored === undefined) continue;
    collection.remove(e.documentKey._id);
    if (restored) collection.insert(cloneValue(restored));
  }
}
