import type { Document } from 'bson';

/** A stored or received document: field names to BSON values (as deserialized by `bson`). */
export type Doc = Document;

type BsonTagged = { _bsontype: string };

function bsonTypeOf(v: unknown): string | undefined {
  return typeof v === 'object' && v !== null && '_bsontype' in v ? (v as BsonTagged)._bsontype : undefined;
}

/** True for an embedded document (not an array, Date, RegExp, byte array or BSON class instance). */
export function isPlainObject(v: unknown): v is Doc {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Date) &&
    !(v instanceof RegExp) &&
    !(v instanceof Uint8Array) &&
    bsonTypeOf(v) === undefined
  );
}

const NUMERIC_TYPES = new Set(['Long', 'Int32', 'Double', 'Decimal128']);

/** True for every BSON numeric type (JS numbers, bigint, Long, Int32, Double, Decimal128). */
export function isNumeric(v: unknown): boolean {
  return typeof v === 'number' || typeof v === 'bigint' || NUMERIC_TYPES.has(bsonTypeOf(v) ?? '');
}

/** A numeric BSON value as a JS number (lossy past 2^53; good enough for a test server). */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const t = bsonTypeOf(v);
  if (t === 'Long') return (v as { toNumber(): number }).toNumber();
  if (t === 'Int32' || t === 'Double') return (v as { valueOf(): number }).valueOf();
  if (t === 'Decimal128') return Number(String(v));
  return Number.NaN;
}

/**
 * MongoDB's cross-type sort order (missing counts as null):
 * MinKey < null < numbers < strings < objects < arrays < binary < ObjectId < bool < Date < Timestamp < regex < MaxKey.
 */
export function typeRank(v: unknown): number {
  if (v === undefined || v === null) return 1;
  if (isNumeric(v)) return 2;
  if (typeof v === 'string') return 3;
  if (Array.isArray(v)) return 5;
  if (typeof v === 'boolean') return 8;
  if (v instanceof Date) return 9;
  if (v instanceof RegExp) return 11;
  if (v instanceof Uint8Array) return 6;
  switch (bsonTypeOf(v)) {
    case 'MinKey':
      return 0;
    case 'BSONSymbol':
      return 3;
    case 'Binary':
      return 6;
    case 'ObjectId':
      return 7;
    case 'Timestamp':
      return 10;
    case 'BSONRegExp':
      return 11;
    case 'MaxKey':
      return 12;
    case undefined:
      return 4;
    default:
      return 13; // Code, DBRef and other rarities sort last here.
  }
}

function cmp(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function bytesOf(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  const b = v as { buffer: Uint8Array; sub_type?: number };
  return b.buffer;
}

/** Compares two BSON values the way MongoDB orders them (sort, $gt/$lt, unique keys). */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
    case 1:
    case 12:
      return 0;
    case 2: {
      const x = toNumber(a);
      const y = toNumber(b);
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : -1) : 1;
      return cmp(x, y);
    }
    case 3:
      // MongoDB compares strings by UTF-8 bytes (no collation).
      return Buffer.compare(Buffer.from(String(a)), Buffer.from(String(b)));
    case 4:
      return compareDocuments(a as Doc, b as Doc);
    case 5: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    case 6: {
      const x = bytesOf(a);
      const y = bytesOf(b);
      if (x.length !== y.length) return x.length - y.length;
      const st = ((a as { sub_type?: number }).sub_type ?? 0) - ((b as { sub_type?: number }).sub_type ?? 0);
      return st !== 0 ? st : Buffer.compare(x, y);
    }
    case 7:
      return cmp(String(a), String(b));
    case 8:
      return Number(a) - Number(b);
    case 9:
      return cmp((a as Date).getTime(), (b as Date).getTime());
    case 10: {
      const x = a as { t: number; i: number };
      const y = b as { t: number; i: number };
      return x.t !== y.t ? cmp(x.t, y.t) : cmp(x.i, y.i);
    }
    case 11: {
      const x = a as { source?: string; pattern?: string; flags?: string; options?: string };
      const y = b as typeof x;
      const c = cmp(x.source ?? x.pattern ?? '', y.source ?? y.pattern ?? '');
      return c !== 0 ? c : cmp(x.flags ?? x.options ?? '', y.flags ?? y.options ?? '');
    }
    default:
      return cmp(String(a), String(b));
  }
}

function compareDocuments(a: Doc, b: Doc): number {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
    const fa = ka[i]!;
    const fb = kb[i]!;
    const rank = typeRank(a[fa]) - typeRank(b[fb]);
    if (rank !== 0) return rank;
    const name = Buffer.compare(Buffer.from(fa), Buffer.from(fb));
    if (name !== 0) return name;
    const value = compareValues(a[fa], b[fb]);
    if (value !== 0) return value;
  }
  return ka.length - kb.length;
}

/** MongoDB equality: numbers compare by value across types, documents field by field in order. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  return compareValues(a, b) === 0;
}

/** A string that is equal for two values exactly when MongoDB considers them equal (map keys). */
export function canonicalKey(v: unknown): string {
  const rank = typeRank(v);
  if (rank === 1) return 'null';
  if (rank === 2) {
    const n = toNumber(v);
    return `n:${Object.is(n, -0) ? 0 : n}`;
  }
  if (rank === 3) return `s:${JSON.stringify(String(v))}`;
  if (rank === 5) return `[${(v as unknown[]).map(canonicalKey).join(',')}]`;
  if (rank === 4) {
    const d = v as Doc;
    return `{${Object.keys(d)
      .map((k) => `${JSON.stringify(k)}:${canonicalKey(d[k])}`)
      .join(',')}}`;
  }
  if (rank === 6)
    return `b:${(v as { sub_type?: number }).sub_type ?? 0}:${Buffer.from(bytesOf(v)).toString('hex')}`;
  if (rank === 9) return `d:${(v as Date).getTime()}`;
  if (rank === 10) return `t:${(v as { t: number }).t}:${(v as { i: number }).i}`;
  return `${rank}:${String(v)}`;
}

/** Deep copy of a document tree; BSON class instances (immutable in practice) are shared. */
export function cloneValue<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneValue) as T;
  if (v instanceof Date) return new Date(v.getTime()) as T;
  if (isPlainObject(v)) {
    const out: Doc = {};
    for (const [k, x] of Object.entries(v)) out[k] = cloneValue(x);
    return out as T;
  }
  return v;
}

/** Reads a dotted path without array expansion (numeric segments index arrays); undefined when missing. */
export function getPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const seg of path.split('.')) {
    if (Array.isArray(cur) && /^\d+$/.test(seg)) cur = cur[Number(seg)];
    else if (isPlainObject(cur)) cur = Object.hasOwn(cur, seg) ? cur[seg] : undefined;
    else return undefined;
  }
  return cur;
}

/** Shell-like rendering used in error messages (`{ name: "x" }`, `ObjectId('…')`). */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[ ${v.map(formatValue).join(', ')} ]`;
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  const t = bsonTypeOf(v);
  if (t === 'ObjectId') return `ObjectId('${String(v)}')`;
  if (isPlainObject(v)) {
    const parts = Object.entries(v).map(([k, x]) => `${k}: ${formatValue(x)}`);
    return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
  }
  return String(v);
}
