import { type Document, EJSON } from 'bson';

/** Looks up entities for `$$matchesEntity` and `$$sessionLsid`. */
export interface EntityLookup {
  get(id: string): unknown;
  sessionLsid(id: string): unknown;
}

/** A mismatch between expected and actual, naming where it is. */
export class MatchError extends Error {
  constructor(path: string, message: string) {
    super(`${path || '(root)'}: ${message}`);
    this.name = 'MatchError';
  }
}

type Tagged = { _bsontype?: string };

function bsonType(v: unknown): string | undefined {
  return typeof v === 'object' && v !== null ? (v as Tagged)._bsontype : undefined;
}

function isDocument(v: unknown): v is Document {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Date) &&
    !(v instanceof Uint8Array) &&
    bsonType(v) === undefined
  );
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const t = bsonType(v);
  if (t === 'Long' || t === 'Int32' || t === 'Double' || t === 'Decimal128') return Number(String(v));
  return undefined;
}

/** The `$$type` names a value has (a JS integer counts as int or long, as the driver promotes both). */
function typeNames(v: unknown): string[] {
  if (v === undefined) return ['undefined'];
  if (v === null) return ['null'];
  if (typeof v === 'string') return ['string'];
  if (typeof v === 'boolean') return ['bool'];
  if (typeof v === 'number') return Number.isInteger(v) ? ['int', 'long', 'number'] : ['double', 'number'];
  if (Array.isArray(v)) return ['array'];
  if (v instanceof Date) return ['date'];
  if (v instanceof RegExp) return ['regex'];
  const t = bsonType(v);
  const names: Record<string, string[]> = {
    Long: ['long', 'number'],
    Int32: ['int', 'number'],
    Double: ['double', 'number'],
    Decimal128: ['decimal', 'number'],
    ObjectId: ['objectId'],
    Binary: ['binData'],
    Timestamp: ['timestamp'],
    BSONRegExp: ['regex'],
    MinKey: ['minKey'],
    MaxKey: ['maxKey'],
    Code: ['javascript'],
  };
  if (t) return names[t] ?? [t];
  return ['object'];
}

function operatorOf(expected: unknown): string | undefined {
  if (!isDocument(expected)) return undefined;
  const keys = Object.keys(expected);
  return keys.length === 1 && keys[0]!.startsWith('$$') ? keys[0] : undefined;
}

function equalScalars(expected: unknown, actual: unknown): boolean {
  const en = asNumber(expected);
  if (en !== undefined) return asNumber(actual) === en;
  if (expected instanceof Date) return actual instanceof Date && actual.getTime() === expected.getTime();
  const et = bsonType(expected);
  if (et) {
    if (bsonType(actual) !== et) return false;
    return EJSON.stringify(expected as Document) === EJSON.stringify(actual as Document);
  }
  return expected === actual;
}

function matchOperator(
  op: string,
  arg: unknown,
  actual: unknown,
  path: string,
  ctx: EntityLookup,
  root: boolean,
): void {
  switch (op) {
    case '$$exists':
      if ((actual !== undefined) !== arg) throw new MatchError(path, `expected to ${arg ? '' : 'not '}exist`);
      return;
    case '$$type': {
      const wanted = Array.isArray(arg) ? (arg as string[]) : [arg as string];
      const has = typeNames(actual);
      if (!wanted.some((t) => has.includes(t)))
        throw new MatchError(path, `expected type ${wanted.join('|')}, got ${has.join('|')}`);
      return;
    }
    case '$$unsetOrMatches':
      if (actual !== undefined) matchValue(arg, actual, ctx, path, root);
      return;
    case '$$matchesEntity':
      matchValue(ctx.get(String(arg)), actual, ctx, path, false);
      return;
    case '$$sessionLsid':
      matchValue(ctx.sessionLsid(String(arg)), actual, ctx, path, false);
      return;
    case '$$lte': {
      const a = asNumber(actual);
      if (a === undefined || a > (asNumber(arg) ?? Number.NaN))
        throw new MatchError(path, `expected <= ${String(arg)}, got ${String(actual)}`);
      return;
    }
    case '$$matchAsDocument':
      if (typeof actual !== 'string') throw new MatchError(path, 'expected a JSON string');
      matchValue(arg, EJSON.parse(actual, { relaxed: true }), ctx, path, false);
      return;
    case '$$matchAsRoot':
      matchValue(arg, actual, ctx, path, true);
      return;
    default:
      throw new MatchError(path, `unsupported operator ${op}`);
  }
}

/**
 * Asserts that `actual` matches `expected` by the unified test format's rules: special `$$` operators,
 * numbers equal across BSON types, arrays element by element, and extra fields in `actual` permitted
 * only in root-level documents.
 */
export function matchValue(
  expected: unknown,
  actual: unknown,
  ctx: EntityLookup,
  path = '',
  root = true,
): void {
  const op = operatorOf(expected);
  if (op) {
    matchOperator(op, (expected as Document)[op], actual, path, ctx, root);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) throw new MatchError(path, `expected an array, got ${typeNames(actual)}`);
    if (actual.length !== expected.length)
      throw new MatchError(path, `expected ${expected.length} elements, got ${actual.length}`);
    expected.forEach((e, i) => {
      matchValue(e, actual[i], ctx, `${path}[${i}]`, false);
    });
    return;
  }
  if (isDocument(expected)) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual))
      throw new MatchError(path, `expected a document, got ${typeNames(actual)}`);
    const a = actual as Document;
    for (const [key, e] of Object.entries(expected)) {
      const sub = path ? `${path}.${key}` : key;
      const eop = operatorOf(e);
      if (a[key] === undefined && eop !== '$$exists' && eop !== '$$unsetOrMatches' && eop !== '$$type')
        throw new MatchError(sub, 'missing');
      matchValue(e, a[key], ctx, sub, false);
    }
    if (!root) {
      const extra = Object.keys(a).filter((k) => a[k] !== undefined && !(k in expected));
      if (extra.length > 0) throw new MatchError(path, `unexpected fields ${extra.join(', ')}`);
    }
    return;
  }
  if (!equalScalars(expected, actual))
    throw new MatchError(
      path,
      `expected ${EJSON.stringify({ v: expected })}, got ${EJSON.stringify({ v: actual })}`,
    );
}
