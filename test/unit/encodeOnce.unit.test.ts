import { describe, expect, it } from 'vitest';
import { jsonOnce, sseDataFrame, sseTrackedFrame } from '../../server/http/encodeOnce.ts';

describe('encodeOnce', () => {
  it('encodes an object once and returns the same text after', () => {
    const message = { kind: 'event', n: 1 };
    const first = jsonOnce(message);
    message.n = 2; // not re-encoded: messages are never changed once sent
    expect(jsonOnce(message)).toBe(first);
    expect(first).toBe('{"kind":"event","n":1}');
    expect(jsonOnce('x')).toBe('"x"');
    expect(jsonOnce(undefined)).toBe('null');
  });

  it('shares a tracked frame between subscribers that track it by the same id', () => {
    const message = { kind: 'event' };
    const a = sseTrackedFrame('5', message);
    const b = sseTrackedFrame('5', message);
    expect(b).toBe(a);
    expect(String(a)).toBe('id: 5\ndata: {"kind":"event"}\n\n');
  });

  it('writes a different id in front of the shared data frame', () => {
    const message = { kind: 'session' };
    sseTrackedFrame('1.100', message);
    const other = sseTrackedFrame('1.200', message);
    expect(Array.isArray(other)).toBe(true);
    const [idLine, data] = other as [string, Buffer];
    expect(idLine).toBe('id: 1.200\n');
    expect(data).toBe(sseDataFrame(message));
    expect(String(data)).toBe('data: {"kind":"session"}\n\n');
  });

  it('encodes primitives every time', () => {
    expect(String(sseDataFrame(3))).toBe('data: 3\n\n');
    expect(String(sseTrackedFrame('1', null))).toBe('id: 1\ndata: null\n\n');
  });
});
