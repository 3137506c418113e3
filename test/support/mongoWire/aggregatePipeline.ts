import {
  canonicalKey,
  cloneValue,
  compareValues,
  type Doc,
  getPath,
  isNumeric,
  isPlainObject,
  toNumber,
} from './bsonValues.ts';
import { CommandError } from './commandError.ts';
import { evaluateExpression } from './evaluateExpression.ts';
import { projectDocument } from './projectDocument.ts';
import { assertValidFilter, matchesFilter } from './queryMatcher.ts';
import { sortDocuments } from './sortDocuments.ts';

type Accumulator = { init(): unknown; add(acc: unknown, v: unknown): unknown; done?(acc: unknown): unknown };

const ACCUMULATORS: Record<string, Accumulator> = {
  $sum: {
    init: () => 0,
    add: (acc, v) => (isNumeric(v) ? (acc as number) + toNumber(v) : acc),
  },
  $avg: {
    init: () => ({ sum: 0, n: 0 }),
    add: (acc, v) => {
      const a = acc as { sum: number; n: number };
      return isNumeric(v) ? { sum: a.sum + toNumber(v), n: a.n + 1 } : a;
    },
    done: (acc) => {
      const a = acc as { sum: number; n: number };
      return a.n === 0 ? null : a.sum / a.n;
    },
  },
  $max: {
    init: () => undefined,
    add: (acc, v) =>
      v !== undefined && v !== null && (acc === undefined || compareValues(v, acc) > 0) ? v : acc,
    done: (acc) => acc ?? null,
  },
  $min: {
    init: () => undefined,
    add: (acc, v) =>
      v !== undefined && v !== null && (acc === undefined || compareValues(v, acc) < 0) ? v : acc,
    done: (acc) => acc ?? null,
  },
  $count: { init: () => 0, add: (acc) => (acc as number) + 1 },
  $first: {
    init: () => undefined,
    add: (acc, v) => acc ?? { v },
    done: (acc) => (acc as { v: unknown })?.v ?? null,
  },
  $last: {
    init: () => undefined,
    add: (_acc, v) => ({ v }),
    done: (acc) => (acc as { v: unknown })?.v ?? null,
  },
  $push: { init: () => [], add: (acc, v) => (v === undefined ? acc : [...(acc as unknown[]), v]) },
  $addToSet: {
    init: () => new Map<string, unknown>(),
    add: (acc, v) => (v === undefined ? acc : (acc as Map<string, unknown>).set(canonicalKey(v), v)),
    done: (acc) => [...(acc as Map<string, unknown>).values()],
  },
};

function group(docs: Doc[], spec: Doc): Doc[] {
  if (!('_id' in spec)) throw new CommandError(15955, 'a group specification must include an _id');
  const fields = Object.entries(spec)
    .filter(([k]) => k !== '_id')
    .map(([name, accSpec]) => {
      const [op, expr] = isPlainObject(accSpec) ? (Object.entries(accSpec)[0] ?? []) : [];
      const acc = ACCUMULATORS[op ?? ''];
      if (!acc)
        throw new CommandError(
          15952,
          `unknown group operator '${op}' (or not supported by the mongo wire test server)`,
        );
      return { name, acc, expr };
    });
  const groups = new Map<string, { id: unknown; accs: unknown[] }>();
  for (const doc of docs) {
    const id = evaluateExpression(doc, spec._id) ?? null;
    const key = canonicalKey(id);
    let g = groups.get(key);
    if (!g) {
      g = { id, accs: fields.map((f) => f.acc.init()) };
      groups.set(key, g);
    }
    for (const [i, f] of fields.entries()) g.accs[i] = f.acc.add(g.accs[i], evaluateExpression(doc, f.expr));
  }
  return [...groups.values()].map((g) => {
    const out: Doc = { _id: g.id };
    for (const [i, f] of fields.entries()) out[f.name] = f.acc.done ? f.acc.done(g.accs[i]) : g.accs[i];
    return out;
  });
}

function unwind(docs: Doc[], spec: unknown): Doc[] {
  const opts = typeof spec === 'string' ? { path: spec } : (spec as Doc);
  const path = String(opts.path ?? '');
  if (!path.startsWith('$'))
    throw new CommandError(28818, "path option to $unwind stage should be prefixed with a '$'");
  const field = path.slice(1);
  const out: Doc[] = [];
  for (const doc of docs) {
    const v = getPath(doc, field);
    if (Array.isArray(v) && v.length > 0) {
      for (const el of v) out.push({ ...cloneValue(doc), [field]: el });
    } else if (v !== undefined && v !== null && !Array.isArray(v)) {
      out.push(doc);
    } else if (opts.preserveNullAndEmptyArrays === true) {
      out.push(doc);
    }
  }
  return out;
}

function replaceRoot(doc: Doc, expr: unknown): Doc {
  const root = evaluateExpression(doc, expr);
  if (!isPlainObject(root))
    throw new CommandError(
      40228,
      `'newRoot' expression must evaluate to an object, but resulting value was: ${String(root)}`,
    );
  return root;
}

/** Runs a find-like aggregation pipeline ($match $sort $skip $limit $project $group $count $unwind $addFields $unset $replaceRoot). */
export function runPipeline(input: Doc[], pipeline: Doc[]): Doc[] {
  let docs = input;
  for (const stage of pipeline) {
    const [name, arg] = Object.entries(stage)[0] ?? [];
    switch (name) {
      case '$match':
        assertValidFilter(arg as Doc);
        docs = docs.filter((d) => matchesFilter(d, arg as Doc));
        break;
      case '$sort':
        docs = sortDocuments(docs, arg as Doc);
        break;
      case '$skip':
        docs = docs.slice(toNumber(arg));
        break;
      case '$limit':
        docs = docs.slice(0, toNumber(arg));
        break;
      case '$project':
        docs = docs.map((d) => projectDocument(d, arg as Doc));
        break;
      case '$group':
        docs = group(docs, arg as Doc);
        break;
      case '$count':
        docs = docs.length > 0 ? [{ [String(arg)]: docs.length }] : [];
        break;
      case '$unwind':
        docs = unwind(docs, arg);
        break;
      case '$addFields':
      case '$set':
        docs = docs.map((d) => ({ ...d, ...(evaluateExpression(d, arg) as Doc) }));
        break;
      case '$unset':
        docs = docs.map((d) =>
          projectDocument(
            d,
            Object.fromEntries((Array.isArray(arg) ? arg : [arg]).map((f) => [String(f), 0])),
          ),
        );
        break;
      case '$replaceRoot':
      case '$replaceWith':
        docs = docs.map((d) => replaceRoot(d, name === '$replaceRoot' ? (arg as Doc).newRoot : arg));
        break;
      case '$changeStream':
        throw new CommandError(40602, '$changeStream is only valid as the first stage in a pipeline');
      default:
        throw new CommandError(
          40324,
          `Unrecognized pipeline stage name: '${name}' (or not supported by the mongo wire test server)`,
        );
    }
  }
  return docs;
}
