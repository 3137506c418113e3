import type { StoredEvent } from '../../shared/agentEvent.ts';

/**
 * The JSON text a store holds for an event, kept beside the parsed object (weakly: as long as the
 * object lives), so the transports write those bytes instead of encoding the event again. A store
 * that keeps JSON (SQLite) remembers it on read and on commit; for the others `eventJson` encodes.
 * The text must be exactly `JSON.stringify(event)`.
 */
const jsonByEvent = new WeakMap<StoredEvent, string>();

export function rememberEventJson(event: StoredEvent, json: string): void {
  jsonByEvent.set(event, json);
}

/** `JSON.stringify(event)`, taken from the store when it had the text. */
export function eventJson(event: StoredEvent): string {
  return jsonByEvent.get(event) ?? JSON.stringify(event);
}
