import { z } from 'zod';
import { LIMITS } from './limits.ts';

/** A value that survives a JSON round trip unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

type PathKey = string | number;

/** What is wrong with a value, and where. */
export interface Problem {
  path: PathKey[];
  message: string;
  input: unknown;
}

interface Frame {
  container: Record<string, unknown> | unknown[];
  /** Own keys of an object; undefined for an array. */
  keys: string[] | undefined;
  next: number;
}

const NOT_JSON = 'not a JSON value';
const TOO_DEEP = `nesting deeper than ${LIMITS.jsonDepth} levels`;

function classify(value: unknown): 'leaf' | 'container' | string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return 'leaf';
  if (typeof value === 'number') return Number.isFinite(value) ? 'leaf' : 'number must be finite';
  if (typeof value !== 'object') return NOT_JSON;
  if (Array.isArray(value)) return 'container';
  const proto = Object.getPrototypeOf(value);
  // Null-prototype objects serialize like plain ones; Dates, Maps and class instances do not.
  return proto === Object.prototype || proto === null ? 'container' : NOT_JSON;
}

function keyProblem(key: string): string | undefined {
  // BSON stores keys as C strings, so MongoDB refuses a key with NUL in it.
  if (key.includes('\u0000')) return 'key contains a NUL character';
  // MongoDB reserves `$`-prefixed names for operators: such a key cannot be stored or updated there.
  if (key.startsWith('$')) return `key "${key.slice(0, 40)}" starts with $`;
  // Copying such an object with `copy[key] = value` (as zod and most code does) hits the
  // prototype setter and silently drops the entry.
  if (key === '__proto__') return 'key "__proto__" is not allowed';
  return undefined;
}

function enter(container: object): Frame {
  return Array.isArray(container)
    ? { container, keys: undefined, next: 0 }
    : { container: container as Record<string, unknown>, keys: Object.keys(container), next: 0 };
}

/**
 * The first problem in document order, walked with an explicit stack: a recursive walk would
 * overflow the call stack (or spend long doing so) on hostile nesting before reaching the limit.
 */
export function findJsonProblem(root: unknown): Problem | undefined {
  const verdict = classify(root);
  if (verdict === 'leaf') return undefined;
  if (verdict !== 'container') return { path: [], message: verdict, input: root };
  // path[i] is the key under which stack[i + 1] sits in stack[i].
  const stack: Frame[] = [enter(root as object)];
  const path: PathKey[] = [];
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as Frame;
    const { container, keys } = top;
    const size = keys ? keys.length : (container as unknown[]).length;
    if (top.next >= size) {
      stack.pop();
      path.pop();
      continue;
    }
    const index = top.next++;
    let key: PathKey = index;
    let child: unknown;
    if (keys) {
      key = keys[index] as string;
      const message = keyProblem(key);
      if (message) return { path: [...path, key], message, input: key };
      child = (container as Record<string, unknown>)[key];
    } else {
      // A hole in a sparse array reads as undefined and is reported as not JSON.
      child = (container as unknown[])[index];
    }
    const kind = classify(child);
    if (kind === 'leaf') continue;
    if (kind !== 'container') return { path: [...path, key], message: kind, input: child };
    if (stack.length >= LIMITS.jsonDepth) return { path: [...path, key], message: TOO_DEEP, input: child };
    stack.push(enter(child as object));
    path.push(key);
  }
  return undefined;
}

/**
 * Any JSON value, checked without recursion and returned as the very same value (never copied):
 * plain objects, arrays, strings, finite numbers, booleans and null, nested at most
 * `LIMITS.jsonDepth` containers deep, with no `__proto__` key, no NUL in any key and no key
 * starting with `$`. A problem is
 * reported as one custom issue whose path points at the offending value or key.
 */
export const jsonValueSchema = z.custom<JsonValue>().superRefine((value, ctx) => {
  const problem = findJsonProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', ...problem });
});
