import { describe, expect, it } from 'vitest';
import { jsonOnce, sseDataFrame, sseTrackedFrame } from '../../server/http/encodeOnce.ts';
import { eventJson, rememberEventJson } from '../../server/store/storedJson.ts';
import type { StoredEvent } from '../../shared/agentEvent.ts';

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

  it("splices a stored event's JSON into its event message instead of encoding it again", () => {
    const event: StoredEvent = { type: 'thought', text: 'é "q"', sessionId: 's', seq: 7, ts: 'x' };
    // The text a store read it from: the same JSON, so the result equals JSON.stringify.
    rememberEventJson(event, JSON.stringify(event));
    const message = { kind: 'event', event };
    expect(jsonOnce(message)).toBe(JSON.stringify(message));
    // Proof the stored text is what is used: a marked copy of it comes out as is.
    const other: StoredEvent = { ...event, seq: 8 };
    rememberEventJson(other, '{"stored":true}');
    expect(jsonOnce({ kind: 'event', event: other })).toBe('{"kind":"event","event":{"stored":true}}');
    expect(eventJson(other)).toBe('{"stored":true}');
    // Anything else is encoded whole, the event's stored text notwithstanding.
    expect(jsonOnce({ kind: 'event', event: other, extra: 1 })).toBe(
      JSON.stringify({ kind: 'event', event: other, extra: 1 }),
    );
    expect(eventJson({ ...event })).toBe(JSON.stringify(event));
  });

  it("splices each batched event's stored JSON into a session_batch, equal to encoding it whole", () => {
    const a: StoredEvent = { type: 'thought', text: 'a', sessionId: 's', seq: 1, ts: 'x' };
    const b: StoredEvent = { type: 'thought', text: 'b "q"', sessionId: 's', seq: 2, ts: 'x' };
    rememberEventJson(a, JSON.stringify(a));
    const batch = {
      kind: 'session_batch',
      sessionId: 's "1"',
      messages: [{ kind: 'event', event: a }, { kind: 'event', event: b, cursor: '2~1' }, { kind: 'reset' }],
    };
    expect(jsonOnce(batch)).toBe(JSON.stringify(batch));
    rememberEventJson(b, '{"stored":true}');
    const stored = { kind: 'session_batch', sessionId: 's', messages: [{ kind: 'event', event: b }] };
    expect(jsonOnce(stored)).toBe(
      '{"kind":"session_batch","sessionId":"s","messages":[{"kind":"event","event":{"stored":true}}]}',
    );
  });
});
