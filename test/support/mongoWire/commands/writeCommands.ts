import { calculateObjectSize, ObjectId } from 'bson';
import { cloneValue, type Doc, isPlainObject, valuesEqual } from '../bsonValues.ts';
import type { MongoCollection } from '../collections.ts';
import { CommandError } from '../commandError.ts';
import {
  type AnyUpdate,
  applyAnyUpdate,
  isReplacementUpdate,
  upsertDocument,
  validUpdate,
} from '../pipelineUpdate.ts';
import { projectDocument } from '../projectDocument.ts';
import { assertValidFilter } from '../queryMatcher.ts';
import { type CommandContext, collectionName, ensureCollection, recordChange } from '../serverState.ts';
import { sortDocuments } from '../sortDocuments.ts';
import { describeUpdate } from '../updateDescription.ts';

function statements(ctx: CommandContext, field: string): Doc[] {
  const list = ctx.command[field];
  if (!Array.isArray(list) || list.some((s) => !isPlainObject(s))) {
    throw new CommandError(
      9,
      `BSON field '${Object.keys(ctx.command)[0]}.${field}' must be an array of documents`,
    );
  }
  if (list.length > 100_000) throw new CommandError(10334, `Write batch sizes must be between 1 and 100000`);
  return list as Doc[];
}

/** Largest document a client may store (hello's maxBsonObjectSize). */
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;

function writeError(index: number, err: unknown): Doc {
  if (!(err instanceof CommandError)) throw err;
  return { index, code: err.code, errmsg: err.message, ...err.extra };
}

function writeReply(fields: Doc, writeErrors: Doc[]): Doc {
  return writeErrors.length > 0 ? { ...fields, writeErrors, ok: 1 } : { ...fields, ok: 1 };
}

export function insertOne(ctx: CommandContext, collection: MongoCollection, raw: Doc): Doc {
  // mongod stores _id as the first field, generating an ObjectId when the client sent none.
  const { _id = new ObjectId(), ...rest } = raw;
  const doc: Doc = { _id, ...rest };
  if (Array.isArray(doc._id)) throw new CommandError(53, "The '_id' value cannot be of type array");
  const size = calculateObjectSize(doc);
  if (size > MAX_BSON_OBJECT_SIZE) {
    throw new CommandError(
      2,
      `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_OBJECT_SIZE}`,
    );
  }
  collection.insert(doc);
  recordChange(ctx, {
    operationType: 'insert',
    db: ctx.db,
    coll: collection.name,
    collectionUUID: collection.uuid,
    documentKey: { _id: doc._id },
    postImage: cloneValue(doc),
  });
  return doc;
}

export function updateStored(
  ctx: CommandContext,
  collection: MongoCollection,
  before: Doc,
  update: AnyUpdate,
): Doc | null {
  const after = applyAnyUpdate(before, update);
  // mongod writes no oplog entry (and no change event) for an update that changes nothing.
  if (valuesEqual(after, before)) return null;
  if (calculateObjectSize(after) > MAX_BSON_OBJECT_SIZE) {
    throw new CommandError(17419, `Resulting document after update is larger than ${MAX_BSON_OBJECT_SIZE}`);
  }
  collection.replace(after);
  const replacement = isReplacementUpdate(update);
  recordChange(ctx, {
    operationType: replacement ? 'replace' : 'update',
    db: ctx.db,
    coll: collection.name,
    collectionUUID: collection.uuid,
    imagesRecorded: collection.recordsImages,
    documentKey: { _id: after._id },
    preImage: cloneValue(before),
    postImage: cloneValue(after),
    ...(replacement ? {} : describeUpdate(before, after, update)),
  });
  return after;
}

export function removeStored(ctx: CommandContext, collection: MongoCollection, doc: Doc): void {
  collection.remove(doc._id);
  recordChange(ctx, {
    operationType: 'delete',
    db: ctx.db,
    coll: collection.name,
    collectionUUID: collection.uuid,
    imagesRecorded: collection.recordsImages,
    documentKey: { _id: doc._id },
    preImage: doc,
  });
}

/** `insert`: documents from the body array or the `documents` document sequence; `ordered` stops at the first error. */
export function insertCommand(ctx: CommandContext): Doc {
  const docs = statements(ctx, 'documents');
  const ordered = ctx.command.ordered !== false;
  const { collection } = ensureCollection(ctx, collectionName(ctx));
  let n = 0;
  const writeErrors: Doc[] = [];
  for (const [i, raw] of docs.entries()) {
    try {
      insertOne(ctx, collection, raw);
      n++;
    } catch (err) {
      writeErrors.push(writeError(i, err));
      if (ordered) break;
    }
  }
  return writeReply({ n }, writeErrors);
}

/** `update`: statements `{q, u, upsert, multi}` with operator or replacement updates. */
export function updateCommand(ctx: CommandContext): Doc {
  const updates = statements(ctx, 'updates');
  const ordered = ctx.command.ordered !== false;
  const coll = collectionName(ctx);
  let n = 0;
  let nModified = 0;
  const upserted: Doc[] = [];
  const writeErrors: Doc[] = [];
  for (const [i, stmt] of updates.entries()) {
    try {
      const u = validUpdate(stmt.u);
      if (stmt.arrayFilters !== undefined)
        throw new CommandError(2, 'mongo wire test server: arrayFilters not supported');
      if (stmt.multi === true && isReplacementUpdate(u)) {
        throw new CommandError(9, 'multi update is not supported for replacement-style update');
      }
      assertValidFilter(stmt.q as Doc);
      const existing = ctx.state.catalog.get(ctx.db, coll);
      const matches = existing?.find(stmt.q as Doc) ?? [];
      if (matches.length === 0 && stmt.upsert === true) {
        const { collection } = ensureCollection(ctx, coll);
        const doc = insertOne(ctx, collection, upsertDocument(stmt.q as Doc, u));
        upserted.push({ index: i, _id: doc._id });
        n++;
        continue;
      }
      for (const doc of stmt.multi === true ? matches : matches.slice(0, 1)) {
        n++;
        if (updateStored(ctx, existing!, doc, u)) nModified++;
      }
    } catch (err) {
      writeErrors.push(writeError(i, err));
      if (ordered) break;
    }
  }
  return writeReply(upserted.length > 0 ? { n, nModified, upserted } : { n, nModified }, writeErrors);
}

/** `delete`: statements `{q, limit}` where limit 0 removes all matches and 1 the first. */
export function deleteCommand(ctx: CommandContext): Doc {
  const deletes = statements(ctx, 'deletes');
  const ordered = ctx.command.ordered !== false;
  const collection = ctx.state.catalog.get(ctx.db, collectionName(ctx));
  let n = 0;
  const writeErrors: Doc[] = [];
  for (const [i, stmt] of deletes.entries()) {
    try {
      const limit = Number(stmt.limit ?? 0);
      if (limit !== 0 && limit !== 1)
        throw new CommandError(9, `The limit field in delete objects must be 0 or 1. Got ${limit}`);
      assertValidFilter(stmt.q as Doc);
      const matches = collection?.find(stmt.q as Doc) ?? [];
      for (const doc of limit === 1 ? matches.slice(0, 1) : matches) {
        removeStored(ctx, collection!, doc);
        n++;
      }
    } catch (err) {
      writeErrors.push(writeError(i, err));
      if (ordered) break;
    }
  }
  return writeReply({ n }, writeErrors);
}

/** `findAndModify`: one document by query+sort; update (optionally upsert) or remove; returns old or new. */
export function findAndModifyCommand(ctx: CommandContext): Doc {
  const { command } = ctx;
  const coll = collectionName(ctx);
  const remove = command.remove === true;
  if (remove && command.update !== undefined)
    throw new CommandError(9, 'Cannot specify both an update and remove=true');
  if (!remove && command.update === undefined)
    throw new CommandError(9, 'Either an update or remove=true must be specified');
  if (remove && command.upsert === true)
    throw new CommandError(9, 'Cannot specify both upsert=true and remove=true');
  if (command.arrayFilters !== undefined)
    throw new CommandError(2, 'mongo wire test server: arrayFilters not supported');
  const project = (d: Doc | null) => (d ? projectDocument(cloneValue(d), command.fields as Doc) : null);
  assertValidFilter(command.query as Doc);
  if (!remove) validUpdate(command.update);
  const existing = ctx.state.catalog.get(ctx.db, coll);
  const matched = sortDocuments(existing?.find(command.query as Doc) ?? [], command.sort as Doc)[0];
  if (remove) {
    if (matched) removeStored(ctx, existing!, matched);
    return { lastErrorObject: { n: matched ? 1 : 0 }, value: project(matched ?? null), ok: 1 };
  }
  const update = validUpdate(command.update);
  if (matched) {
    const after = updateStored(ctx, existing!, matched, update) ?? matched;
    return {
      lastErrorObject: { n: 1, updatedExisting: true },
      value: project(command.new === true ? after : matched),
      ok: 1,
    };
  }
  if (command.upsert === true) {
    const { collection } = ensureCollection(ctx, coll);
    const doc = insertOne(ctx, collection, upsertDocument(command.query as Doc, update));
    return {
      lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id },
      value: command.new === true ? project(doc) : null,
      ok: 1,
    };
  }
  return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
}
