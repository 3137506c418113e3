import {
  followSessionEvents,
  type SessionStreamItem,
  type StreamSessionOptions,
} from './followSessionEvents.ts';
import { followerToGenerator } from './sink.ts';

export type { StreamSessionOptions } from './followSessionEvents.ts';
export { parseLastEventId } from './resumePoint.ts';

/**
 * A session's trail for one subscriber as an async generator (tRPC's WebSocket handler, in-process
 * callers, the tab feed's merge): `followSessionEvents` behind `followerToGenerator`, so both read
 * the same exactly-once logic. A subscriber that does not pull is a full sink: live events are held
 * (bounded by `maxHeld`), then re-read from the store.
 */
export function streamSessionEvents(opts: StreamSessionOptions): AsyncGenerator<SessionStreamItem> {
  return followerToGenerator((sink, signal) => followSessionEvents({ ...opts, signal }, sink), opts.signal);
}
