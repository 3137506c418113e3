import type { EventStore } from '../../../server/store/eventStore.ts';
import { openFileJournal } from '../../../server/store/fileJournal.ts';
import { createMemoryStore } from '../../../server/store/memoryStore.ts';

/**
 * The legacy file store on `dir`, opened the way benchStores.ts (and `createStore`, before SQLite)
 * does: the NDJSON journal read back whole, replayed into the memory store, which keeps every event.
 */
export async function openLegacyFileStore(dir: string, warn: (message: string) => void): Promise<EventStore> {
  const { journal, records } = await openFileJournal(dir, warn);
  return createMemoryStore({ kind: 'file', journal, initial: records, warn });
}
