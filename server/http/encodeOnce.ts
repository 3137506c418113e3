/**
 * Encode once, write many. Every subscriber of a session is handed the *same* message objects for
 * the same event (see `server/hub/sharedMessages.ts`), so the JSON of a message — and the SSE frame
 * around it — is built the first time any subscriber sends it and reused by all the others. Entries
 * live as long as the message object does (a WeakMap): nothing to evict, nothing kept for history.
 */

import type { StoredEvent } from '../../shared/agentEvent.ts';
import { eventJson } from '../store/storedJson.ts';

const jsonByMessage = new WeakMap<object, string>();
/** `data: <json>\n\n` as bytes, per message. */
const dataFrameByMessage = new WeakMap<object, Buffer>();
/** `id: <id>\ndata: <json>\n\n` as bytes, per message, for the id it was first sent with. */
const trackedFrameByMessage = new WeakMap<object, { id: string; frame: Buffer }>();

/** `JSON.stringify(value)`, computed once per object. Primitives are encoded every time (cheap). */
export function jsonOnce(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  let json = jsonByMessage.get(value);
  if (json === undefined) {
    json = isEventMessage(value)
      ? `{"kind":"event","event":${eventJson(value.event)}}`
      : isBatch(value)
        ? // Its events' stored JSON fits in, like a single event's.
          `{"kind":"session_batch","sessionId":${JSON.stringify(value.sessionId)},"messages":[${value.messages.map(jsonOnce).join(',')}]}`
        : JSON.stringify(value);
    jsonByMessage.set(value, json);
  }
  return json;
}

/** Exactly `{ kind: 'event', event }` (as sharedMessages builds it): its event's stored JSON fits in. */
function isEventMessage(value: object): value is { kind: 'event'; event: StoredEvent } {
  const m = value as { kind?: unknown; event?: unknown };
  return (
    m.kind === 'event' && typeof m.event === 'object' && m.event !== null && Object.keys(value).length === 2
  );
}

/** A tab feed's `session_batch` (see server/hub/batchCatchUp.ts). */
function isBatch(value: object): value is { sessionId: string; messages: object[] } {
  const m = value as { kind?: unknown; sessionId?: unknown; messages?: unknown };
  return (
    m.kind === 'session_batch' &&
    typeof m.sessionId === 'string' &&
    Array.isArray(m.messages) &&
    Object.keys(value).length === 3
  );
}

/** The SSE frame of an untracked message: `data: <json>`. */
export function sseDataFrame(data: unknown): Buffer {
  if (typeof data !== 'object' || data === null) return Buffer.from(`data: ${jsonOnce(data)}\n\n`);
  let frame = dataFrameByMessage.get(data);
  if (frame === undefined) {
    frame = Buffer.from(`data: ${jsonOnce(data)}\n\n`);
    dataFrameByMessage.set(data, frame);
  }
  return frame;
}

/**
 * The SSE frame of a tracked message: `id: <id>` then `data: <json>`. When every subscriber tracks
 * a message by the same id (a session's events: the seq) the whole frame is shared; otherwise the
 * id line is written per subscriber in front of the shared data frame.
 */
export function sseTrackedFrame(id: string, data: unknown): Buffer | [string, Buffer] {
  if (typeof data !== 'object' || data === null) return Buffer.from(`id: ${id}\ndata: ${jsonOnce(data)}\n\n`);
  const cached = trackedFrameByMessage.get(data);
  if (cached?.id === id) return cached.frame;
  if (cached) return [`id: ${id}\n`, sseDataFrame(data)];
  const frame = Buffer.from(`id: ${id}\ndata: ${jsonOnce(data)}\n\n`);
  trackedFrameByMessage.set(data, { id, frame });
  return frame;
}
