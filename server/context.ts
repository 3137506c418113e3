import type { Hub } from './hub/createHub.ts';
import type { Logger } from './logger.ts';
import type { EventStore } from './store/eventStore.ts';

/** What every procedure can reach: the store, the hub, the logger. */
export interface Context {
  store: EventStore;
  hub: Hub;
  log: Logger;
  /** Over WebSocket: resolves when the socket can take more (see createSocketGate). */
  waitForCapacity?: (signal?: AbortSignal) => Promise<void>;
}
