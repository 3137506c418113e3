import type { Doc } from './bsonValues.ts';
import { cloneValue, getPath, isPlainObject, valuesEqual } from './bsonValues.ts';

interface Delta {
  updatedFields: Doc;
  removedFields: string[];
  truncatedArrays: Doc[];
}

function existed(doc: Doc, path: string): boolean {
  return getPath(doc, path) !== undefined;
}

/** The shortest prefix of `path` missing from `doc`: a newly created subtree is reported whole, as mongod does. */
function reportedPath(before: Doc, path: string): string {
  const segs = path.split('.');
  for (let i = 1; i < segs.length; i++) {
    const prefix = segs.slice(0, i).join('.');
    if (!existed(before, prefix)) return prefix;
  }
  return path;
}

/** Paths the operators of an update touched: changed or created ones updated, unset ones removed. */
function operatorDelta(before: Doc, after: Doc, update: Doc): Delta {
  const delta: Delta = { updatedFields: {}, removedFields: [], truncatedArrays: [] };
  for (const [op, args] of Object.entries(update)) {
    if (!isPlainObject(args)) continue;
    for (const [path, arg] of Object.entries(args)) {
      for (const target of op === '$rename' ? [path, String(arg)] : [path]) {
        const now = getPath(after, target);
        if (now === undefined) {
          if (existed(before, target) && !delta.removedFields.includes(target))
            delta.removedFields.push(target);
        } else if (!existed(before, target) || !valuesEqual(getPath(before, target), now)) {
          const reported = reportedPath(before, target);
          delta.updatedFields[reported] = cloneValue(getPath(after, reported));
        }
      }
    }
  }
  return delta;
}

/** A structural diff, as mongod computes for pipeline updates: nested documents and arrays element-wise. */
function diff(before: Doc, after: Doc, prefix: string, delta: Delta): void {
  for (const [key, now] of Object.entries(after)) {
    const path = `${prefix}${key}`;
    const was = before[key];
    if (!Object.hasOwn(before, key)) delta.updatedFields[path] = cloneValue(now);
    else if (isPlainObject(was) && isPlainObject(now)) diff(was, now, `${path}.`, delta);
    else if (Array.isArray(was) && Array.isArray(now)) diffArray(was, now, path, delta);
    else if (!valuesEqual(was, now)) delta.updatedFields[path] = cloneValue(now);
  }
  for (const key of Object.keys(before))
    if (!Object.hasOwn(after, key)) delta.removedFields.push(`${prefix}${key}`);
}

function diffArray(was: unknown[], now: unknown[], path: string, delta: Delta): void {
  if (now.length < was.length) delta.truncatedArrays.push({ field: path, newSize: now.length });
  now.forEach((v, i) => {
    const w = was[i];
    if (i < was.length && isPlainObject(w) && isPlainObject(v)) diff(w, v, `${path}.${i}.`, delta);
    else if (i >= was.length || !valuesEqual(w, v)) delta.updatedFields[`${path}.${i}`] = cloneValue(v);
  });
}

/** `disambiguatedPaths`: each reported path with a numeric segment, split, array indices as integers. */
function disambiguate(delta: Delta, before: Doc, after: Doc): Doc {
  const out: Doc = {};
  const paths: [string, Doc][] = [
    ...Object.keys(delta.updatedFields).map((p): [string, Doc] => [p, after]),
    ...delta.removedFields.map((p): [string, Doc] => [p, before]),
  ];
  for (const [path, doc] of paths) {
    const segs = path.split('.');
    if (!segs.some((s) => /^\d+$/.test(s))) continue;
    out[path] = segs.map((seg, i) =>
      /^\d+$/.test(seg) && i > 0 && Array.isArray(getPath(doc, segs.slice(0, i).join('.')))
        ? Number(seg)
        : seg,
    );
  }
  return out;
}

/**
 * `updateDescription` of an update change event and its `disambiguatedPaths`. Operator updates report
 * the paths their operators touched (arrays whole, where mongod may report single elements such as
 * `arr.3`); pipeline updates report a structural diff including truncated arrays.
 */
export function describeUpdate(
  before: Doc,
  after: Doc,
  update: Doc | Doc[],
): { updateDescription: Doc; disambiguatedPaths: Doc } {
  let delta: Delta;
  if (Array.isArray(update)) {
    delta = { updatedFields: {}, removedFields: [], truncatedArrays: [] };
    diff(before, after, '', delta);
  } else delta = operatorDelta(before, after, update);
  return { updateDescription: { ...delta }, disambiguatedPaths: disambiguate(delta, before, after) };
}
