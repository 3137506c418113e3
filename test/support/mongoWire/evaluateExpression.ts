import { type Doc, getPath, isPlainObject } from './bsonValues.ts';
import { CommandError } from './commandError.ts';

/**
 * Evaluates the aggregation expressions this server supports: field paths (`'$a.b'`, `'$$ROOT'`),
 * `{$literal}`, and documents and arrays of expressions. Anything else is a constant.
 */
export function evaluateExpression(doc: Doc, expr: unknown): unknown {
  if (typeof expr === 'string' && expr.startsWith('$')) {
    if (expr === '$$ROOT' || expr === '$$CURRENT') return doc;
    if (expr.startsWith('$$'))
      throw new CommandError(17276, `Use of undefined variable: ${expr.slice(2).split('.')[0]}`);
    return getPath(doc, expr.slice(1));
  }
  if (Array.isArray(expr)) return expr.map((e) => evaluateExpression(doc, e));
  if (isPlainObject(expr)) {
    const keys = Object.keys(expr);
    if (keys[0]?.startsWith('$')) {
      if (keys.length === 1 && keys[0] === '$literal') return expr.$literal;
      throw new CommandError(
        168,
        `Unrecognized expression '${keys[0]}' (or not supported by the mongo wire test server)`,
      );
    }
    const out: Doc = {};
    for (const k of keys) {
      const v = evaluateExpression(doc, expr[k]);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
  return expr;
}
