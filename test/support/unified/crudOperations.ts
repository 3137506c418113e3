import type { Document } from 'bson';
import type { AnyBulkWriteOperation, ChangeStream, Collection, Db, MongoClient } from 'mongodb';

type Args = Document;
type Operation = (target: never, args: Args) => Promise<unknown>;

/** Unified-format argument names that the driver spells differently or takes elsewhere. */
function options(args: Args, ...positional: string[]): Document {
  const out: Document = {};
  for (const [k, v] of Object.entries(args)) {
    if (positional.includes(k)) continue;
    out[k] = k === 'returnDocument' ? String(v).toLowerCase() : v;
  }
  return out;
}

/** Starts a change stream and runs its initial aggregate (the driver would wait for the first read). */
async function createChangeStream(target: Collection | Db | MongoClient, args: Args): Promise<ChangeStream> {
  const stream = target.watch(args.pipeline ?? [], options(args, 'pipeline'));
  const cursor = (stream as unknown as { cursor: { cursorInit(): Promise<void> } }).cursor;
  await cursor.cursorInit();
  return stream;
}

/** Operations on collection entities. */
export const COLLECTION_OPERATIONS: Record<string, Operation> = {
  insertOne: (c: Collection, a) => c.insertOne(a.document, options(a, 'document')),
  insertMany: (c: Collection, a) => c.insertMany(a.documents, options(a, 'documents')),
  updateOne: (c: Collection, a) => c.updateOne(a.filter, a.update, options(a, 'filter', 'update')),
  updateMany: (c: Collection, a) => c.updateMany(a.filter, a.update, options(a, 'filter', 'update')),
  replaceOne: (c: Collection, a) =>
    c.replaceOne(a.filter, a.replacement, options(a, 'filter', 'replacement')),
  deleteOne: (c: Collection, a) => c.deleteOne(a.filter, options(a, 'filter')),
  deleteMany: (c: Collection, a) => c.deleteMany(a.filter, options(a, 'filter')),
  findOneAndUpdate: (c: Collection, a) =>
    c.findOneAndUpdate(a.filter, a.update, options(a, 'filter', 'update')),
  findOneAndReplace: (c: Collection, a) =>
    c.findOneAndReplace(a.filter, a.replacement, options(a, 'filter', 'replacement')),
  findOneAndDelete: (c: Collection, a) => c.findOneAndDelete(a.filter, options(a, 'filter')),
  bulkWrite: (c: Collection, a) => c.bulkWrite(a.requests as AnyBulkWriteOperation[], options(a, 'requests')),
  find: (c: Collection, a) => c.find(a.filter ?? {}, options(a, 'filter')).toArray(),
  countDocuments: (c: Collection, a) => c.countDocuments(a.filter ?? {}, options(a, 'filter')),
  aggregate: (c: Collection, a) => c.aggregate(a.pipeline, options(a, 'pipeline')).toArray(),
  createIndex: (c: Collection, a) => c.createIndex(a.keys, options(a, 'keys')),
  dropIndex: (c: Collection, a) => c.dropIndex(a.name, options(a, 'name')),
  rename: async (c: Collection, a) => {
    await c.rename(a.to, options(a, 'to'));
  },
  createChangeStream,
};

/** Operations on database entities. */
export const DATABASE_OPERATIONS: Record<string, Operation> = {
  runCommand: (d: Db, a) => d.command(a.command, options(a, 'command', 'commandName')),
  createCollection: async (d: Db, a) => {
    await d.createCollection(a.collection, options(a, 'collection'));
  },
  dropCollection: (d: Db, a) => d.dropCollection(a.collection, options(a, 'collection')),
  aggregate: (d: Db, a) => d.aggregate(a.pipeline, options(a, 'pipeline')).toArray(),
  createChangeStream,
};

/** Operations on client entities. */
export const CLIENT_OPERATIONS: Record<string, Operation> = {
  createChangeStream,
};

/** Operations on change stream entities. */
export const CHANGE_STREAM_OPERATIONS: Record<string, Operation> = {
  iterateUntilDocumentOrError: (s: ChangeStream) => s.next(),
  iterateOnce: (s: ChangeStream) => s.tryNext(),
  close: (s: ChangeStream) => s.close(),
};
