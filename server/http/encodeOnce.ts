/**
 * Encode once, write many. Every subscriber of a session is handed the *same* message objects for
 * the same event (see `server/hub/sharedMessages.ts`), so the JSON of a message — and the SSE frame
 * around it — is built the first time any subscriber sends it and reused by all the others. Entries
 * live as long as the message object does (a WeakMap): nothing to evict, nothing kept for history.
 */

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
    json = JSON.stringify(value);
    jsonByMessage.set(value, json);
  }
  return json;
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
