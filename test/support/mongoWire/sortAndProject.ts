import { cloneValue, compareValues, type Doc, getPath, isPlainObject, toNumber } from './bsonValues.ts';
import { CommandError } from './commandError.ts';

function sortKey(doc: Doc, path: string, direction: number): unknown {
  const v = getPath(doc, path);
  if (!Array.isArray(v)) return v;
  if (v.length === 0) return undefined;
  // An array sorts by its smallest element ascending and its largest descending.
  return v.reduce((best, x) => (compareValues(x, best) * direction < 0 ? x : best));
}

/** Sorts documents by a `{field: 1 | -1}` spec; ties keep their input (natural) order. */
export function sortDocuments(docs: Doc[], spec: Doc | undefined | null): Doc[] {
  const fields = Object.entries(spec ?? {}).map(([path, dir]) => {
    const d = toNumber(dir);
    if (d !== 1 && d !== -1)
      throw new CommandError(2, `mongo wire test server: unsupported sort value for ${path}`);
    return [path, d] as const;
  });
  if (fields.length === 0) return docs;
  return docs
    .map((doc, index) => ({ doc, index }))
    .sort((a, b) => {
      for (const [path, dir] of fields) {
        const c = compareValues(sortKey(a.doc, path, dir), sortKey(b.doc, path, dir));
        if (c !== 0) return c * dir;
      }
      return a.index - b.index;
    })
    .map((x) => x.doc);
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

/** Applies an inclusion or exclusion projection (dotted paths; no $slice, $elemMatch, $meta or expressions). */
export function projectDocument(doc: Doc, projection: Doc | undefined | null): Doc {
  const entries = Object.entries(projection ?? {});
  if (entries.length === 0) return doc;
  for (const [path, v] of entries) {
    if (typeof v !== 'number' && typeof v !== 'boolean') {
      throw new CommandError(2, `mongo wire test server: projection of ${path} must be 0/1/true/false`);
    }
  }
  const idSetting = entries.find(([p]) => p === '_id')?.[1];
  const others = entries.filter(([p]) => p !== '_id');
  const inclusive = others.length > 0 ? Boolean(others[0]![1]) : Boolean(idSetting ?? true);
  if (others.some(([, v]) => Boolean(v) !== inclusive)) {
    throw new CommandError(31254, 'Cannot do exclusion on a field in inclusion projection');
  }
  if (inclusive) {
    const paths = others.map(([p]) => p.split('.'));
    if (idSetting === undefined || idSetting) paths.push(['_id']);
    const out: Doc = {};
    // Walk the document so the result keeps the stored field order, as MongoDB does.
    for (const key of Object.keys(doc))
      for (const segs of paths) if (segs[0] === key) includePath(doc, out, segs);
    return out;
  }
  const out = cloneValue(doc);
  for (const [path] of entries) excludePath(out, path.split('.'));
  return out;
}
