import type { Doc } from './bsonValues.ts';
import { cloneValue, getPath, isPlainObject, valuesEqual } from './bsonValues.ts';
import { isReplacement } from './updateApplier.ts';

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

/**
 * `updateDescription` of an update change event, derived from the paths the operators touched:
 * changed or created paths go to updatedFields, unset ones to removedFields. Arrays are reported
 * whole (mongod may report single elements such as `arr.3`). truncatedArrays is always empty.
 */
export function describeUpdate(before: Doc, after: Doc, update: Doc): Doc {
  const updatedFields: Doc = {};
  const removedFields: string[] = [];
  if (!isReplacement(update)) {
    for (const [op, args] of Object.entries(update)) {
      if (!isPlainObject(args)) continue;
      for (const [path, arg] of Object.entries(args)) {
        const targets = op === '$rename' ? [path, String(arg)] : [path];
        for (const target of targets) {
          const now = getPath(after, target);
          if (now === undefined) {
            if (existed(before, target) && !removedFields.includes(target)) removedFields.push(target);
          } else if (!existed(before, target) || !valuesEqual(getPath(before, target), now)) {
            const reported = reportedPath(before, target);
            updatedFields[reported] = cloneValue(getPath(after, reported));
          }
        }
      }
    }
  }
  return { updatedFields, removedFields, truncatedArrays: [] };
}
