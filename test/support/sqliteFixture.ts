import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '../../server/store/eventStore.ts';
import { type OpenSqliteOptions, openSqliteStore } from '../../server/store/openSqliteStore.ts';

/** What a test's store logged, by level. */
export interface LogLines {
  info: string[];
  warn: string[];
  error: string[];
}

export function captureLog(): LogLines & { log: OpenSqliteOptions['log'] } {
  const lines: LogLines = { info: [], warn: [], error: [] };
  return {
    ...lines,
    log: {
      info: (m) => lines.info.push(m),
      warn: (m) => lines.warn.push(m),
      error: (m) => lines.error.push(m),
    },
  };
}

/** A fresh temporary data directory; `cleanup` closes what was opened in it and removes it. */
export async function tempDataDir(prefix = 'livetrail-sqlite-') {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const opened: EventStore[] = [];
  return {
    dir,
    async open(options: Partial<OpenSqliteOptions> = {}): Promise<EventStore> {
      const store = await openSqliteStore({ dir, log: captureLog().log, ...options });
      opened.push(store);
      return store;
    },
    async cleanup() {
      for (const s of opened.splice(0)) await s.close().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
