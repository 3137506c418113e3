import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { type JsonValue, jsonValueSchema } from '../../shared/jsonValueSchema.ts';
import { LIMITS } from '../../shared/limits.ts';

/** `depth` arrays inside each other, parsed from text as a producer's payload would be. */
function nestedArrays(depth: number, inner = ''): unknown {
  return JSON.parse(`${'['.repeat(depth)}${inner}${']'.repeat(depth)}`);
}

function nestedObjects(depth: number): unknown {
  return JSON.parse(`${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`);
}

function onlyIssue(value: unknown) {
  const r = jsonValueSchema.safeParse(value);
  expect(r.success).toBe(false);
  expect(r.error!.issues).toHaveLength(1);
  return r.error!.issues[0]!;
}

describe('jsonValueSchema', () => {
  it('infers the JSON value type', () => {
    expectTypeOf<z.infer<typeof jsonValueSchema>>().toEqualTypeOf<JsonValue>();
  });

  it('accepts every kind of JSON value and returns the very same value', () => {
    const values = [
      null,
      true,
      false,
      0,
      -0,
      -1.5,
      Number.MAX_VALUE,
      '',
      'text with \u0000 inside',
      [],
      {},
      JSON.parse('{"a":[1,"two",null,{"b":false}],"constructor":1,"__proto__x":2}'),
      Object.assign(Object.create(null), { a: 1 }),
    ];
    for (const [i, v] of values.entries()) {
      const r = jsonValueSchema.safeParse(v);
      expect(r.success, `value ${i}`).toBe(true);
      expect(r.data).toBe(v);
    }
  });

  it('accepts arrays nested exactly to the depth limit and returns them unchanged', () => {
    const deep = nestedArrays(LIMITS.jsonDepth, '1');
    const r = jsonValueSchema.safeParse(deep);
    expect(r.success).toBe(true);
    expect(r.data).toBe(deep);
    expect(r.data).toEqual(nestedArrays(LIMITS.jsonDepth, '1'));
  });

  it('rejects arrays nested one level past the limit at the innermost one', () => {
    const issue = onlyIssue(nestedArrays(LIMITS.jsonDepth + 1));
    expect(issue.message).toBe('nesting deeper than 64 levels');
    expect(issue.path).toEqual(Array(LIMITS.jsonDepth).fill(0));
  });

  it('counts objects as levels just like arrays', () => {
    expect(jsonValueSchema.safeParse(nestedObjects(LIMITS.jsonDepth)).success).toBe(true);
    const issue = onlyIssue(nestedObjects(LIMITS.jsonDepth + 1));
    expect(issue.message).toBe('nesting deeper than 64 levels');
    expect(issue.path).toEqual(Array(LIMITS.jsonDepth).fill('a'));
  });

  it('rejects half a million levels of nesting without overflowing the stack', () => {
    const issue = onlyIssue(nestedArrays(500_000));
    expect(issue.message).toBe('nesting deeper than 64 levels');
  });

  it('rejects a __proto__ key parsed from JSON', () => {
    const top = onlyIssue(JSON.parse('{"__proto__":{"admin":true}}'));
    expect(top).toMatchObject({
      code: 'custom',
      message: 'key "__proto__" is not allowed',
      path: ['__proto__'],
    });
    const nested = onlyIssue(JSON.parse('{"x":[{"ok":1,"__proto__":1}]}'));
    expect(nested.path).toEqual(['x', 0, '__proto__']);
  });

  it('rejects a NUL character in a nested key', () => {
    const issue = onlyIssue(JSON.parse('{"x":{"y":[{"a\\u0000b":1}]}}'));
    expect(issue).toMatchObject({ message: 'key contains a NUL character', path: ['x', 'y', 0, 'a\u0000b'] });
  });

  it('rejects a number too large to be finite once parsed', () => {
    const issue = onlyIssue(JSON.parse('{"a":1e999}'));
    expect(issue).toMatchObject({ message: 'number must be finite', path: ['a'] });
  });

  it('rejects NaN and infinities at the top level', () => {
    for (const n of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(onlyIssue(n)).toMatchObject({ message: 'number must be finite', path: [] });
    }
  });

  it('rejects values that are not JSON, wherever they sit', () => {
    class Point {
      x = 1;
    }
    const notJson = [undefined, () => 1, 1n, Symbol('s'), new Date(0), new Map(), new Point(), /x/];
    for (const v of notJson) {
      expect(onlyIssue(v), String(v)).toMatchObject({ message: 'not a JSON value', path: [] });
      expect(onlyIssue({ list: [0, v] }).path, String(v)).toEqual(['list', 1]);
    }
  });

  it('rejects a hole in a sparse array', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is what is under test
    expect(onlyIssue([1, , 3])).toMatchObject({ message: 'not a JSON value', path: [1] });
  });

  it('reports only the first problem in document order', () => {
    const issue = onlyIssue(JSON.parse('{"a":[1,{"b":1e999}],"c":{"__proto__":1}}'));
    expect(issue.path).toEqual(['a', 1, 'b']);
  });
});
