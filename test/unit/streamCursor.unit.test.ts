import { describe, expect, it } from 'vitest';
import { compareStreamCursors, formatStreamCursor, parseStreamCursor } from '../../shared/streamCursor.ts';
import { formatFeedCursor, parseFeedCursor } from '../../shared/streamMessages.ts';

describe('stream cursors', () => {
  it('round-trips plain and withheld positions', () => {
    for (const c of [{ seq: 0 }, { seq: 42 }, { seq: 12, withheldFrom: 10 }, { seq: 5, withheldFrom: 5 }]) {
      expect(parseStreamCursor(formatStreamCursor(c))).toEqual(c);
    }
    expect(formatStreamCursor({ seq: 12, withheldFrom: 10 })).toBe('12~10');
  });

  it('is undefined when absent and null when malformed', () => {
    for (const none of [undefined, null, '']) expect(parseStreamCursor(none)).toBeUndefined();
    for (const bad of [
      'x',
      '-1',
      '1.5',
      '1~',
      '~1',
      '3~4',
      '3~0',
      '1~1~1',
      '1234567890123456',
      ' 1',
      7.5,
      -1,
    ]) {
      expect(parseStreamCursor(bad), String(bad)).toBeNull();
    }
    expect(parseStreamCursor(7)).toEqual({ seq: 7 });
  });

  it('orders by seq, then withheld positions before fewer withheld and before none', () => {
    const order = ['9', '12~10', '12~11', '12', '13~1', '13'].map((s) => parseStreamCursor(s)!);
    for (let i = 0; i < order.length; i++) {
      for (let j = 0; j < order.length; j++) {
        expect(Math.sign(compareStreamCursors(order[i]!, order[j]!)), `${i} vs ${j}`).toBe(Math.sign(i - j));
      }
    }
  });

  it('carries a withheld position through the tab feed cursor', () => {
    expect(formatFeedCursor({ seq: 12, withheldFrom: 10, listMs: 99 })).toBe('12~10.99');
    expect(parseFeedCursor('12~10.99')).toEqual({ seq: 12, withheldFrom: 10, listMs: 99 });
    expect(parseFeedCursor('12.')).toEqual({ seq: 12, listMs: undefined });
    for (const bad of ['12~13.1', '~.1', '12~10', '1~~1.1']) expect(parseFeedCursor(bad), bad).toBeNull();
  });
});
