import { describe, expect, it } from 'vitest';
import { requestKey } from '../../server/domain/requestKey.ts';
import {
  compareSessions,
  decodeSessionCursor,
  encodeSessionCursor,
} from '../../server/domain/sessionCursor.ts';
import { LivetrailError } from '../../shared/livetrailError.ts';

const at = (lastActivityAt: string, id: string) => ({ lastActivityAt, id });

describe('session list order and cursors', () => {
  it('orders newest activity first, ties by id descending, equal only for the same session', () => {
    const list = [
      at('2026-01-01T00:00:01Z', 'a'),
      at('2026-01-01T00:00:02Z', 'a'),
      at('2026-01-01T00:00:01Z', 'b'),
    ];
    expect(list.sort(compareSessions).map((s) => `${s.lastActivityAt}/${s.id}`)).toEqual([
      '2026-01-01T00:00:02Z/a',
      '2026-01-01T00:00:01Z/b',
      '2026-01-01T00:00:01Z/a',
    ]);
    expect(compareSessions(at('x', 'a'), at('x', 'a'))).toBe(0);
  });

  it('round-trips a cursor and refuses anything it did not make', () => {
    const s = at('2026-01-01T00:00:01.000Z', 'abc_DEF-1');
    expect(decodeSessionCursor(encodeSessionCursor(s))).toEqual(s);
    const forged = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const bad of [
      '%%%',
      forged({}),
      forged(['2026-01-01', 'a', 'b']),
      forged(['soon', 'a']),
      forged(['2026-01-01', 'a/b']),
      forged([1, 'a']),
      forged(['2026-01-01', 12]),
    ]) {
      let err: unknown;
      try {
        decodeSessionCursor(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(LivetrailError);
      expect((err as LivetrailError).code).toBe('BAD_REQUEST');
      expect((err as Error).message).toMatch(/^cursor: not a cursor from sessions.list/);
    }
  });
});

describe('requestKey', () => {
  it('takes the input key, or the header, and refuses a malformed or disagreeing header', () => {
    expect(requestKey('a', undefined)).toBe('a');
    expect(requestKey(undefined, undefined)).toBeUndefined();
    expect(requestKey(undefined, 'h')).toBe('h');
    expect(requestKey('same', 'same')).toBe('same');
    const refused = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        expect(err).toBeInstanceOf(LivetrailError);
        expect((err as LivetrailError).code).toBe('BAD_REQUEST');
        return (err as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refused(() => requestKey(undefined, 'a b'))).toMatch(/^Idempotency-Key header: must be/);
    expect(refused(() => requestKey(undefined, 'x'.repeat(129)))).toMatch(/^Idempotency-Key header/);
    expect(refused(() => requestKey('a', 'b'))).toMatch(
      /^idempotencyKey: differs from the Idempotency-Key header/,
    );
  });
});
