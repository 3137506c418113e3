import type { Doc } from '../bsonValues.ts';
import { isPlainObject } from '../bsonValues.ts';
import { CommandError } from '../commandError.ts';
import { type CommandContext, ensureCollection } from '../serverState.ts';
import { insertOne, removeStored, updateStored } from './writeCommands.ts';

/** True when the pipeline ends in a stage that writes its results ($out or $merge). */
export function writesOutput(pipeline: Doc[]): boolean {
  const last = pipeline.at(-1);
  return last !== undefined && ('$out' in last || '$merge' in last);
}

function target(ctx: CommandContext, spec: unknown): { db: string; coll: string } {
  if (typeof spec === 'string') return { db: ctx.db, coll: spec };
  if (isPlainObject(spec) && typeof spec.coll === 'string')
    return { db: typeof spec.db === 'string' ? spec.db : ctx.db, coll: spec.coll };
  throw new CommandError(16990, '$out / $merge target must be a collection name or {db, coll}');
}

/**
 * Writes aggregation results as `$out` (replacing the target's documents) or `$merge` on `_id`
 * (whenMatched merge/replace/keepExisting/fail, whenNotMatched insert/discard/fail).
 */
export function writeAggregateOutput(ctx: CommandContext, stage: Doc, results: Doc[]): void {
  const merge = stage.$merge as Doc | string | undefined;
  const spec = merge === undefined ? stage.$out : typeof merge === 'string' ? merge : merge.into;
  const where = target(ctx, spec);
  const out = { ...ctx, db: where.db };
  const { collection } = ensureCollection(out, where.coll);
  if (merge === undefined) {
    for (const doc of collection.all()) removeStored(out, collection, doc);
    for (const doc of results) insertOne(out, collection, doc);
    return;
  }
  const opts = typeof merge === 'string' ? {} : merge;
  if (opts.on !== undefined && opts.on !== '_id')
    throw new CommandError(2, "mongo wire test server: $merge supports only on: '_id'");
  const whenMatched = String(opts.whenMatched ?? 'merge');
  const whenNotMatched = String(opts.whenNotMatched ?? 'insert');
  for (const doc of results) {
    const existing = collection.byId(doc._id);
    if (!existing) {
      if (whenNotMatched === 'fail')
        throw new CommandError(13113, '$merge could not find a matching document');
      if (whenNotMatched === 'insert') insertOne(out, collection, doc);
    } else if (whenMatched === 'fail') {
      throw new CommandError(11000, `E11000 duplicate key error collection: ${where.db}.${where.coll}`);
    } else if (whenMatched === 'merge') {
      updateStored(out, collection, existing, { $set: doc });
    } else if (whenMatched === 'replace') {
      updateStored(out, collection, existing, doc);
    }
  }
}
