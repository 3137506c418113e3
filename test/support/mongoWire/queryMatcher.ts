import {
  compareValues,
  type Doc,
  isNumeric,
  isPlainObject,
  toNumber,
  typeRank,
  valuesEqual,
} from './bsonValues.ts';
import { CommandError } from './commandError.ts';

const MISSING = Symbol('missing');
type Raw = unknown | typeof MISSING;

/** Values reached by a dotted path, descending into arrays of documents (MongoDB's implicit traversal). */
function rawValues(value: unknown, segs: string[], i: number, out: Raw[]): void {
  if (i === segs.length) {
    out.push(value === undefined ? MISSING : value);
    return;
  }
  const seg = segs[i]!;
  if (Array.isArray(value)) {
    if (/^\d+$/.test(seg)) {
      const idx = Number(seg);
      if (idx < value.length) rawValues(value[idx], segs, i + 1, out);
    }
    for (const el of value) if (isPlainObject(el)) rawValues(el, segs, i, out);
    return;
  }
  if (isPlainObject(value)) {
    rawValues(Object.hasOwn(value, seg) ? value[seg] : undefined, segs, i + 1, out);
    return;
  }
  out.push(MISSING);
}

/** Raw values plus the elements of array values: what comparison operators look at. */
function expand(raws: Raw[]): unknown[] {
  const out: unknown[] = [];
  for (const r of raws) {
    if (r === MISSING) {
      out.push(undefined);
      continue;
    }
    out.push(r);
    if (Array.isArray(r)) out.push(...r);
  }
  return out;
}

function isOperatorObject(v: unknown): v is Doc {
  if (!isPlainObject(v)) return false;
  const first = Object.keys(v)[0];
  return first?.startsWith('$') ?? false;
}

function toRegExp(pattern: unknown, options?: unknown): RegExp {
  const flags = typeof options === 'string' ? options.replace(/[^imsu]/g, '') : '';
  if (pattern instanceof RegExp) return flags ? new RegExp(pattern.source, flags) : pattern;
  if (typeof pattern === 'string') return new RegExp(pattern, flags);
  throw new CommandError(2, '$regex has to be a string');
}

function equalsAny(raws: Raw[], x: unknown): boolean {
  if (x instanceof RegExp) return expand(raws).some((v) => typeof v === 'string' && x.test(v));
  if (x === null || x === undefined) return expand(raws).some((v) => v === undefined || v === null);
  return expand(raws).some((v) => v !== undefined && valuesEqual(v, x));
}

function compareAny(raws: Raw[], x: unknown, test: (c: number) => boolean): boolean {
  return expand(raws).some((v) => typeRank(v) === typeRank(x) && test(compareValues(v, x)));
}

const TYPE_ALIASES: Record<string, (v: unknown) => boolean> = {
  double: (v) => typeof v === 'number' && !Number.isInteger(v),
  string: (v) => typeof v === 'string',
  object: isPlainObject,
  array: Array.isArray,
  objectId: (v) => (v as { _bsontype?: string })?._bsontype === 'ObjectId',
  bool: (v) => typeof v === 'boolean',
  date: (v) => v instanceof Date,
  null: (v) => v === null,
  int: (v) => typeof v === 'number' && Number.isInteger(v),
  long: (v) => (v as { _bsontype?: string })?._bsontype === 'Long',
  number: isNumeric,
  timestamp: (v) => (v as { _bsontype?: string })?._bsontype === 'Timestamp',
};

function asArray(op: string, v: unknown): unknown[] {
  if (!Array.isArray(v)) throw new CommandError(2, `${op} needs an array`);
  return v;
}

function matchOperator(raws: Raw[], op: string, arg: unknown, ops: Doc): boolean {
  switch (op) {
    case '$eq':
      return equalsAny(raws, arg);
    case '$ne':
      return !equalsAny(raws, arg);
    case '$gt':
      return compareAny(raws, arg, (c) => c > 0);
    case '$gte':
      return compareAny(raws, arg, (c) => c >= 0);
    case '$lt':
      return compareAny(raws, arg, (c) => c < 0);
    case '$lte':
      return compareAny(raws, arg, (c) => c <= 0);
    case '$in':
      return asArray(op, arg).some((x) => equalsAny(raws, x));
    case '$nin':
      return !asArray(op, arg).some((x) => equalsAny(raws, x));
    case '$exists':
      return raws.some((r) => r !== MISSING) === Boolean(arg);
    case '$regex': {
      const re = toRegExp(arg, ops.$options);
      return expand(raws).some((v) => typeof v === 'string' && re.test(v));
    }
    case '$options':
      return true;
    case '$not':
      return arg instanceof RegExp ? !equalsAny(raws, arg) : !matchOperators(raws, arg);
    case '$size':
      return raws.some((r) => Array.isArray(r) && r.length === toNumber(arg));
    case '$all':
      return asArray(op, arg).every((x) => equalsAny(raws, x));
    case '$elemMatch':
      return raws.some(
        (r) =>
          Array.isArray(r) &&
          r.some((el) =>
            isOperatorObject(arg)
              ? matchOperators([el], arg)
              : isPlainObject(el) && matchesFilter(el, arg as Doc),
          ),
      );
    case '$type': {
      const names = Array.isArray(arg) ? arg : [arg];
      return names.some((n) => {
        const test = TYPE_ALIASES[String(n)];
        if (!test) throw new CommandError(2, `mongo wire test server: $type ${String(n)} is not supported`);
        return expand(raws).some((v) => v !== undefined && test(v));
      });
    }
    case '$mod': {
      const [d, r] = asArray(op, arg).map(toNumber);
      return expand(raws).some((v) => isNumeric(v) && Math.trunc(toNumber(v)) % d! === r);
    }
    default:
      throw new CommandError(2, `unknown operator: ${op}`);
  }
}

function matchOperators(raws: Raw[], ops: unknown): boolean {
  if (!isOperatorObject(ops)) throw new CommandError(2, '$not needs a regex or a document');
  return Object.entries(ops).every(([op, arg]) => matchOperator(raws, op, arg, ops));
}

function matchField(doc: Doc, path: string, cond: unknown): boolean {
  const raws: Raw[] = [];
  rawValues(doc, path.split('.'), 0, raws);
  return isOperatorObject(cond) ? matchOperators(raws, cond) : equalsAny(raws, cond);
}

function subFilters(op: string, v: unknown): Doc[] {
  if (!Array.isArray(v) || v.length === 0) throw new CommandError(2, `${op} must be a nonempty array`);
  return v as Doc[];
}

/** True when `doc` matches the query `filter` (the find/update/delete/$match dialect, no $expr/$text/geo). */
export function matchesFilter(doc: Doc, filter: Doc | undefined | null): boolean {
  if (!filter) return true;
  for (const [key, cond] of Object.entries(filter)) {
    if (key.startsWith('$')) {
      if (key === '$and' && !subFilters(key, cond).every((f) => matchesFilter(doc, f))) return false;
      else if (key === '$or' && !subFilters(key, cond).some((f) => matchesFilter(doc, f))) return false;
      else if (key === '$nor' && subFilters(key, cond).some((f) => matchesFilter(doc, f))) return false;
      else if (!['$and', '$or', '$nor', '$comment'].includes(key)) {
        throw new CommandError(
          2,
          `unknown top level operator: ${key} (or not supported by the mongo wire test server)`,
        );
      }
    } else if (!matchField(doc, key, cond)) {
      return false;
    }
  }
  return true;
}

const FIELD_OPERATORS = new Set([
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$exists',
  '$regex',
  '$options',
  '$not',
  '$size',
  '$all',
  '$elemMatch',
  '$type',
  '$mod',
]);

function assertValidCondition(cond: unknown): void {
  if (!isOperatorObject(cond)) return;
  for (const [op, arg] of Object.entries(cond)) {
    if (!FIELD_OPERATORS.has(op)) throw new CommandError(2, `unknown operator: ${op}`);
    if (op === '$not' && !(arg instanceof RegExp)) assertValidCondition(arg);
    if (op === '$elemMatch') {
      if (isOperatorObject(arg)) assertValidCondition(arg);
      else if (isPlainObject(arg)) assertValidFilter(arg);
    }
  }
}

/** Rejects unknown operators up front, as mongod does when it parses a query (even if nothing matches). */
export function assertValidFilter(filter: Doc | undefined | null): void {
  for (const [key, cond] of Object.entries(filter ?? {})) {
    if (key === '$and' || key === '$or' || key === '$nor')
      for (const f of subFilters(key, cond)) assertValidFilter(f);
    else if (key === '$comment') continue;
    else if (key.startsWith('$')) {
      throw new CommandError(
        2,
        `unknown top level operator: ${key} (or not supported by the mongo wire test server)`,
      );
    } else assertValidCondition(cond);
  }
}

/** The equality conditions of a filter (`{a: 1}`, `{a: {$eq: 1}}`, inside `$and`): the seed of an upsert. */
export function equalityFields(filter: Doc | undefined | null): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [key, cond] of Object.entries(filter ?? {})) {
    if (key === '$and' && Array.isArray(cond)) for (const f of cond) out.push(...equalityFields(f as Doc));
    else if (key.startsWith('$')) continue;
    else if (!isOperatorObject(cond)) out.push([key, cond]);
    else if ('$eq' in cond) out.push([key, cond.$eq]);
    else if (Array.isArray(cond.$in) && cond.$in.length === 1) out.push([key, cond.$in[0]]);
  }
  return out;
}
