import { cloneValue, type Doc, isNumeric, isPlainObject, toNumber } from './bsonValues.ts';
import { CommandError } from './commandError.ts';
import { evaluateExpression } from './evaluateExpression.ts';

type FieldSpec = { path: string[]; kind: 'include' | 'exclude' | 'computed'; expr?: unknown };

/** Flattens `{a: {b: 1}, 'c.d': '$x'}` into dotted field specs; a sub-document of plain fields nests paths. */
function fieldSpecs(spec: Doc, prefix: string[], out: FieldSpec[]): FieldSpec[] {
  for (const [key, value] of Object.entries(spec)) {
    const path = [...prefix, ...key.split('.')];
    if (typeof value === 'boolean' || isNumeric(value)) {
      out.push({
        path,
        kind: (typeof value === 'boolean' ? value : toNumber(value) !== 0) ? 'include' : 'exclude',
      });
    } else if (
      isPlainObject(value) &&
      Object.keys(value).length > 0 &&
      !Object.keys(value)[0]!.startsWith('$')
    ) {
      fieldSpecs(value, path, out);
    } else {
      out.push({ path, kind: 'computed', expr: value });
    }
  }
  return out;
}

function includePath(src: unknown, dst: Doc, segs: string[]): void {
  if (!isPlainObject(src)) return;
  const [head, ...rest] = segs;
  if (head === undefined || !Object.hasOwn(src, head)) return;
  const v = src[head];
  if (rest.length === 0) {
    dst[head] = cloneValue(v);
    return;
  }
  if (isPlainObject(v)) {
    const sub = isPlainObject(dst[head]) ? (dst[head] as Doc) : {};
    includePath(v, sub, rest);
    dst[head] = sub;
  } else if (Array.isArray(v)) {
    dst[head] = v.filter(isPlainObject).map((el) => {
      const sub: Doc = {};
      includePath(el, sub, rest);
      return sub;
    });
  }
}

function excludePath(target: unknown, segs: string[]): void {
  const [head, ...rest] = segs;
  if (head === undefined) return;
  if (Array.isArray(target)) {
    for (const el of target) excludePath(el, segs);
    return;
  }
  if (!isPlainObject(target)) return;
  if (rest.length === 0) delete target[head];
  else excludePath(target[head], rest);
}

function setComputed(dst: Doc, segs: string[], value: unknown): void {
  let cur = dst;
  for (const seg of segs.slice(0, -1)) {
    if (!isPlainObject(cur[seg])) cur[seg] = {};
    cur = cur[seg] as Doc;
  }
  cur[segs.at(-1)!] = cloneValue(value);
}

/**
 * Applies a projection as MongoDB 4.4+ does for find and `$project`: inclusions (dotted or nested),
 * exclusions, `_id` defaulting to included, and computed fields (literals, `$literal`, `'$field.path'`,
 * sub-documents of those) in inclusion projections. `$slice`, `$elemMatch` and `$meta` are not supported.
 */
export function projectDocument(doc: Doc, projection: Doc | undefined | null): Doc {
  const specs = fieldSpecs(projection ?? {}, [], []);
  if (specs.length === 0) return doc;
  const id = specs.find((s) => s.path.length === 1 && s.path[0] === '_id');
  const others = specs.filter((s) => s !== id);
  const exclusion = others.length === 0 ? id?.kind === 'exclude' : others.some((s) => s.kind === 'exclude');
  if (exclusion) {
    const bad = others.find((s) => s.kind !== 'exclude');
    if (bad) {
      throw new CommandError(
        31253,
        `Cannot do inclusion on field ${bad.path.join('.')} in exclusion projection`,
      );
    }
    const out = cloneValue(doc);
    for (const s of specs) if (s.kind === 'exclude') excludePath(out, s.path);
    return out;
  }
  const included = others.filter((s) => s.kind === 'include').map((s) => s.path);
  if (!id || id.kind === 'include') included.push(['_id']);
  const out: Doc = {};
  // Walk the document so included fields keep the stored order, as MongoDB does.
  for (const key of Object.keys(doc))
    for (const segs of included) if (segs[0] === key) includePath(doc, out, segs);
  for (const s of specs) {
    if (s.kind !== 'computed') continue;
    const value = evaluateExpression(doc, s.expr);
    if (value !== undefined) setComputed(out, s.path, value);
  }
  return out;
}
