import { compareValues, type Doc, getPath, toNumber } from './bsonValues.ts';
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
