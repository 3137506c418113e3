import { runPipeline } from './aggregatePipeline.ts';
import { cloneValue, type Doc, formatValue, isPlainObject, valuesEqual } from './bsonValues.ts';
import { CommandError } from './commandError.ts';
import { applyUpdate, assertValidUpdate, buildUpsertDocument, isReplacement } from './updateApplier.ts';

/** An update statement's `u`: operators, a replacement, or an aggregation pipeline. */
export type AnyUpdate = Doc | Doc[];

const UPDATE_STAGES = new Set(['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith']);

/** Validates `u` before any document is touched; returns it typed. */
export function validUpdate(u: unknown): AnyUpdate {
  if (Array.isArray(u)) {
    for (const stage of u) {
      const name = isPlainObject(stage) ? Object.keys(stage)[0] : undefined;
      if (!name || !UPDATE_STAGES.has(name))
        throw new CommandError(72, `${String(name)} is not allowed to be used within an update`);
    }
    return u as Doc[];
  }
  if (!isPlainObject(u)) throw new CommandError(9, 'update must be a document or an array');
  assertValidUpdate(u);
  return u;
}

/** True for a replacement document (never for a pipeline). */
export function isReplacementUpdate(update: AnyUpdate): boolean {
  return !Array.isArray(update) && isReplacement(update);
}

/** Applies any kind of update to a copy of `original`; `_id` is immutable. */
export function applyAnyUpdate(original: Doc, update: AnyUpdate): Doc {
  if (!Array.isArray(update)) return applyUpdate(original, update);
  const [out = {}] = runPipeline([cloneValue(original)], update);
  if (original._id !== undefined && !valuesEqual(out._id, original._id)) {
    throw new CommandError(
      66,
      `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${formatValue(out._id)}`,
    );
  }
  return out;
}

/** The document an upsert inserts: the filter's equality fields with the update applied, `_id` first. */
export function upsertDocument(filter: Doc | undefined, update: AnyUpdate): Doc {
  if (!Array.isArray(update)) return buildUpsertDocument(filter, update);
  const seed = buildUpsertDocument(filter, { $set: {} });
  const { _id, ...rest } = applyAnyUpdate(seed, update);
  return { _id, ...rest };
}
