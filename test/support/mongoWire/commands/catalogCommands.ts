import { runPipeline } from '../aggregatePipeline.ts';
import { cloneValue, type Doc, isPlainObject } from '../bsonValues.ts';
import type { IndexSpec, MongoCollection } from '../collections.ts';
import { CommandError } from '../commandError.ts';
import { batchLimit, cursorReply, takeBatch } from '../cursors.ts';
import { type CommandContext, collectionName, ensureCollection, recordChange } from '../serverState.ts';

function defaultIndexName(key: Doc): string {
  return Object.entries(key)
    .map(([field, dir]) => `${field}_${String(dir)}`)
    .join('_');
}

function cursorOf(ctx: CommandContext, ns: string, docs: Doc[]): Doc {
  const batchSize = batchLimit((ctx.command.cursor as Doc | undefined)?.batchSize, Number.POSITIVE_INFINITY);
  const batch = takeBatch(docs, batchSize);
  if (docs.length === 0) return cursorReply(0, ns, 'firstBatch', batch);
  const cursor = ctx.state.cursors.open({ kind: 'find', ns, docs });
  return cursorReply(cursor.id, ns, 'firstBatch', batch);
}

function requireCollection(ctx: CommandContext): MongoCollection {
  const coll = collectionName(ctx);
  const collection = ctx.state.catalog.get(ctx.db, coll);
  if (!collection) throw new CommandError(26, `ns does not exist: ${ctx.db}.${coll}`);
  return collection;
}

/** `createIndexes`: records indexes; unique ones (with sparse / partialFilterExpression) are enforced. */
export function createIndexesCommand(ctx: CommandContext): Doc {
  const specs = ctx.command.indexes;
  if (!Array.isArray(specs) || specs.length === 0)
    throw new CommandError(2, 'Must specify at least one index to create');
  const { collection, created } = ensureCollection(ctx, collectionName(ctx));
  const numIndexesBefore = collection.indexes.length;
  const added: IndexSpec[] = [];
  for (const raw of specs) {
    if (!isPlainObject(raw) || !isPlainObject(raw.key) || Object.keys(raw.key).length === 0) {
      throw new CommandError(9, "The 'key' field is a required property of an index specification");
    }
    const spec: IndexSpec = {
      v: 2,
      ...cloneValue(raw),
      key: raw.key,
      name: String(raw.name ?? defaultIndexName(raw.key)),
    };
    if (collection.createIndex(spec) === 'created') added.push(spec);
  }
  if (added.length > 0) recordDdl(ctx, collection, 'createIndexes', { indexes: cloneValue(added) });
  const reply: Doc = { numIndexesBefore, numIndexesAfter: collection.indexes.length };
  if (added.length === 0) reply.note = 'all indexes already exist';
  return { createdCollectionAutomatically: created, ...reply, ok: 1 };
}

/** `listIndexes`: the collection's index specs as a cursor. */
export function listIndexesCommand(ctx: CommandContext): Doc {
  const collection = requireCollection(ctx);
  return cursorOf(ctx, `${ctx.db}.${collection.name}`, collection.indexes.map(cloneValue));
}

/** `dropIndexes`: by name, key pattern, list of names, or '*' (all but _id_). */
export function dropIndexesCommand(ctx: CommandContext): Doc {
  const collection = requireCollection(ctx);
  const nIndexesWas = collection.indexes.length;
  const which = ctx.command.index;
  let names: string[];
  if (which === '*') names = collection.indexes.slice(1).map((i) => i.name);
  else if (Array.isArray(which)) names = which.map(String);
  else if (isPlainObject(which)) {
    const found = collection.indexes.find((i) => JSON.stringify(i.key) === JSON.stringify(which));
    if (!found) throw new CommandError(27, `can't find index with key: ${JSON.stringify(which)}`);
    names = [found.name];
  } else names = [String(which)];
  const dropped: IndexSpec[] = [];
  for (const name of names) {
    if (name === '_id_') throw new CommandError(72, 'cannot drop _id index');
    const spec = collection.indexes.find((i) => i.name === name);
    if (!spec || !collection.dropIndex(name))
      throw new CommandError(27, `index not found with name [${name}]`);
    dropped.push(spec);
  }
  recordDdl(ctx, collection, 'dropIndexes', { indexes: cloneValue(dropped) });
  return { nIndexesWas, ok: 1 };
}

/** `listCollections`: name/type/options/info/idIndex per collection, filtered with the query dialect. */
export function listCollectionsCommand(ctx: CommandContext): Doc {
  const docs = ctx.state.catalog.collections(ctx.db).map((c) =>
    ctx.command.nameOnly === true
      ? { name: c.name, type: c.options.viewOn === undefined ? 'collection' : 'view' }
      : {
          name: c.name,
          type: c.options.viewOn === undefined ? 'collection' : 'view',
          options: cloneValue(c.options),
          info: { readOnly: false, uuid: c.uuid },
          idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
        },
  );
  const filter = isPlainObject(ctx.command.filter) ? ctx.command.filter : {};
  return cursorOf(ctx, `${ctx.db}.$cmd.listCollections`, runPipeline(docs, [{ $match: filter }]));
}

/** `listDatabases` (admin): every database holding at least one collection. */
export function listDatabasesCommand(ctx: CommandContext): Doc {
  const databases = ctx.state.catalog.databases().map((name) => ({ name, sizeOnDisk: 0, empty: false }));
  return ctx.command.nameOnly === true
    ? { databases: databases.map((d) => ({ name: d.name })), ok: 1 }
    : { databases, totalSize: 0, totalSizeMb: 0, ok: 1 };
}

/** Command fields that are not collection options. */
const GENERIC_FIELDS = new Set(['lsid', 'txnNumber', 'autocommit', 'writeConcern', 'comment', 'maxTimeMS']);

/** `create`: an explicit collection (or view), with its options; NamespaceExists (48) when already there. */
export function createCommand(ctx: CommandContext): Doc {
  const options = Object.fromEntries(
    Object.entries(ctx.command).filter(
      ([k]) => k !== 'create' && !k.startsWith('$') && !GENERIC_FIELDS.has(k),
    ),
  );
  const { created } = ensureCollection(ctx, collectionName(ctx), cloneValue(options));
  if (!created) throw new CommandError(48, `Collection ${ctx.db}.${collectionName(ctx)} already exists.`);
  return { ok: 1 };
}

/** Records a DDL change event (reported to streams opened with showExpandedEvents). */
export function recordDdl(
  ctx: CommandContext,
  collection: MongoCollection,
  operationType: 'createIndexes' | 'dropIndexes' | 'modify',
  operationDescription: Doc,
): void {
  recordChange(ctx, {
    operationType,
    db: ctx.db,
    coll: collection.name,
    collectionUUID: collection.uuid,
    operationDescription,
  });
}

/** `drop`: removes the collection (a no-op success when missing, as since MongoDB 7.0) and emits `drop`. */
export function dropCommand(ctx: CommandContext): Doc {
  const coll = collectionName(ctx);
  const collection = ctx.state.catalog.get(ctx.db, coll);
  if (!collection) return { ok: 1 };
  ctx.state.catalog.drop(ctx.db, coll);
  recordChange(ctx, { operationType: 'drop', db: ctx.db, coll, collectionUUID: collection.uuid });
  return { nIndexesWas: collection.indexes.length, ns: `${ctx.db}.${coll}`, ok: 1 };
}

/** `dropDatabase`: emits `drop` per collection, then `dropDatabase`. */
export function dropDatabaseCommand(ctx: CommandContext): Doc {
  const names = ctx.state.catalog.dropDatabase(ctx.db);
  for (const coll of names) recordChange(ctx, { operationType: 'drop', db: ctx.db, coll });
  if (names.length > 0) recordChange(ctx, { operationType: 'dropDatabase', db: ctx.db });
  return { dropped: ctx.db, ok: 1 };
}
