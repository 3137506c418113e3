import { ObjectId } from 'bson';
import {
  cloneValue,
  compareValues,
  type Doc,
  formatValue,
  getPath,
  isNumeric,
  isPlainObject,
  toNumber,
  valuesEqual,
} from './bsonValues.ts';
import { CommandError } from './commandError.ts';
import { equalityFields, matchesFilter } from './queryMatcher.ts';

/** True for a replacement document (no `$` operators), false for an operator update. */
export function isReplacement(update: Doc): boolean {
  const keys = Object.keys(update);
  const ops = keys.filter((k) => k.startsWith('$'));
  if (ops.length > 0 && ops.length < keys.length) {
    const bad = keys.find((k) => !k.startsWith('$'));
    throw new CommandError(
      9,
      `Unknown modifier: ${bad}. Expected a valid update modifier or pipeline-style update specified as an array`,
    );
  }
  return ops.length === 0;
}

function setPath(doc: Doc, path: string, value: unknown): void {
  const segs = path.split('.');
  let cur: unknown = doc;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    if (seg.startsWith('$'))
      throw new CommandError(2, `mongo wire test server: positional path ${path} not supported`);
    const last = i === segs.length - 1;
    if (Array.isArray(cur) && /^\d+$/.test(seg)) {
      const idx = Number(seg);
      while (cur.length < idx) cur.push(null);
      if (last) cur[idx] = value;
      else if (cur[idx] === undefined || cur[idx] === null) cur[idx] = {};
      cur = cur[idx];
    } else if (isPlainObject(cur)) {
      if (last) cur[seg] = value;
      else if (!Object.hasOwn(cur, seg) || cur[seg] === null) cur[seg] = {};
      cur = cur[seg];
    } else {
      throw new CommandError(
        28,
        `Cannot create field '${seg}' in element {${segs[i - 1]}: ${formatValue(cur)}}`,
      );
    }
  }
}

function unsetPath(doc: Doc, path: string): void {
  const segs = path.split('.');
  const parent = segs.length === 1 ? doc : getPath(doc, segs.slice(0, -1).join('.'));
  const last = segs[segs.length - 1]!;
  if (Array.isArray(parent) && /^\d+$/.test(last)) {
    if (Number(last) < parent.length) parent[Number(last)] = null;
  } else if (isPlainObject(parent)) {
    delete parent[last];
  }
}

function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (isPlainObject(v)) return 'object';
  return (v as { _bsontype?: string })._bsontype ?? typeof v;
}

function arrayAt(doc: Doc, path: string): unknown[] {
  const cur = getPath(doc, path);
  if (cur === undefined) {
    const arr: unknown[] = [];
    setPath(doc, path, arr);
    return arr;
  }
  if (!Array.isArray(cur)) {
    throw new CommandError(
      2,
      `The field '${path}' must be an array but is of type ${typeName(cur)} in document {_id: ${formatValue(doc._id)}}`,
    );
  }
  return cur;
}

function eachOf(arg: unknown): unknown[] {
  if (isPlainObject(arg) && '$each' in arg) {
    const extra = Object.keys(arg).filter((k) => k !== '$each');
    if (extra.length > 0)
      throw new CommandError(2, `mongo wire test server: ${extra.join(', ')} not supported`);
    if (!Array.isArray(arg.$each)) throw new CommandError(2, '$each must be an array');
    return arg.$each.map(cloneValue);
  }
  return [cloneValue(arg)];
}

type Applier = (doc: Doc, path: string, arg: unknown, upsertInsert: boolean) => void;

const APPLIERS: Record<string, Applier> = {
  $set: (doc, path, arg) => setPath(doc, path, cloneValue(arg)),
  $setOnInsert: (doc, path, arg, upsertInsert) => {
    if (upsertInsert) setPath(doc, path, cloneValue(arg));
  },
  $unset: (doc, path) => unsetPath(doc, path),
  $inc: (doc, path, arg) => arithmetic(doc, path, arg, '$inc', (a, b) => a + b),
  $mul: (doc, path, arg) => arithmetic(doc, path, arg, '$mul', (a, b) => a * b),
  $max: (doc, path, arg) => {
    const cur = getPath(doc, path);
    if (cur === undefined || compareValues(arg, cur) > 0) setPath(doc, path, cloneValue(arg));
  },
  $min: (doc, path, arg) => {
    const cur = getPath(doc, path);
    if (cur === undefined || compareValues(arg, cur) < 0) setPath(doc, path, cloneValue(arg));
  },
  $currentDate: (doc, path) => setPath(doc, path, new Date()),
  $push: (doc, path, arg) => {
    arrayAt(doc, path).push(...eachOf(arg));
  },
  $addToSet: (doc, path, arg) => {
    const arr = arrayAt(doc, path);
    for (const v of eachOf(arg)) if (!arr.some((x) => valuesEqual(x, v))) arr.push(v);
  },
  $pull: (doc, path, arg) => {
    const cur = getPath(doc, path);
    if (!Array.isArray(cur)) return;
    const keep = cur.filter((el) =>
      isPlainObject(arg) && !Object.keys(arg)[0]?.startsWith('$')
        ? !(isPlainObject(el) && matchesFilter(el, arg))
        : !matchesFilter({ v: el }, { v: arg }),
    );
    setPath(doc, path, keep);
  },
  $pop: (doc, path, arg) => {
    const cur = getPath(doc, path);
    if (Array.isArray(cur)) toNumber(arg) < 0 ? cur.shift() : cur.pop();
  },
  $rename: (doc, path, arg) => {
    const v = getPath(doc, path);
    if (v === undefined) return;
    unsetPath(doc, path);
    setPath(doc, String(arg), v);
  },
};

function arithmetic(
  doc: Doc,
  path: string,
  arg: unknown,
  op: string,
  f: (a: number, b: number) => number,
): void {
  if (!isNumeric(arg)) {
    throw new CommandError(
      14,
      `Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument`,
    );
  }
  const cur = getPath(doc, path);
  if (cur === undefined) {
    setPath(doc, path, op === '$inc' ? toNumber(arg) : 0);
    return;
  }
  if (!isNumeric(cur)) {
    throw new CommandError(
      14,
      `Cannot apply ${op} to a value of non-numeric type. {_id: ${formatValue(doc._id)}} has the field '${path}' of non-numeric type ${typeName(cur)}`,
    );
  }
  setPath(doc, path, f(toNumber(cur), toNumber(arg)));
}

function checkConflicts(update: Doc): void {
  const paths: string[] = [];
  for (const [op, args] of Object.entries(update)) {
    for (const [path, arg] of Object.entries(args as Doc)) {
      paths.push(path);
      if (op === '$rename') paths.push(String(arg));
    }
  }
  for (let i = 0; i < paths.length; i++) {
    for (let j = 0; j < paths.length; j++) {
      const a = paths[i]!;
      const b = paths[j]!;
      if (i !== j && (a === b || b.startsWith(`${a}.`))) {
        throw new CommandError(40, `Updating the path '${b}' would create a conflict at '${a}'`);
      }
    }
  }
}

/** Rejects unknown update operators and malformed updates before any document is touched, as mongod does. */
export function assertValidUpdate(update: Doc): void {
  if (isReplacement(update)) return;
  for (const [op, args] of Object.entries(update)) {
    if (!APPLIERS[op]) {
      throw new CommandError(
        9,
        `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    }
    if (!isPlainObject(args))
      throw new CommandError(9, `Modifiers operate on fields but we found another type`);
  }
  checkConflicts(update);
}

/** Applies an operator update or a replacement to a copy of `original`; `_id` is immutable. */
export function applyUpdate(original: Doc, update: Doc, upsertInsert = false): Doc {
  if (isReplacement(update)) {
    if ('_id' in update && original._id !== undefined && !valuesEqual(update._id, original._id)) {
      throw new CommandError(
        66,
        `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${formatValue(update._id)}`,
      );
    }
    const { _id, ...rest } = cloneValue(update);
    const id = original._id ?? _id;
    return id === undefined ? rest : { _id: id, ...rest };
  }
  checkConflicts(update);
  const steps: { apply: Applier; path: string; arg: unknown }[] = [];
  for (const [op, args] of Object.entries(update)) {
    const apply = APPLIERS[op];
    if (!apply) {
      throw new CommandError(
        9,
        `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    }
    if (!isPlainObject(args))
      throw new CommandError(9, `Modifiers operate on fields but we found another type`);
    for (const [path, arg] of Object.entries(args)) steps.push({ apply, path, arg });
  }
  // Since MongoDB 5.0 an update visits its fields in lexicographic order, which fixes where new fields go.
  steps.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const doc = cloneValue(original);
  for (const { apply, path, arg } of steps) apply(doc, path, arg, upsertInsert);
  if (original._id !== undefined && !valuesEqual(doc._id, original._id)) {
    throw new CommandError(
      66,
      "Performing an update on the path '_id' would modify the immutable field '_id'",
    );
  }
  return doc;
}

/** The document an upsert inserts: the filter's equality fields, then the update, `_id` first. */
export function buildUpsertDocument(filter: Doc | undefined, update: Doc): Doc {
  const seed: Doc = {};
  if (!isReplacement(update)) {
    for (const [path, value] of equalityFields(filter)) setPath(seed, path, cloneValue(value));
  } else {
    const id = equalityFields(filter).find(([p]) => p === '_id');
    if (id) seed._id = cloneValue(id[1]);
  }
  const doc = applyUpdate(seed, update, true);
  const { _id, ...rest } = doc;
  return { _id: _id ?? new ObjectId(), ...rest };
}
