import { isFinished } from '../../shared/session.ts';
import type { EventStore, SessionCursor } from './eventStore.ts';

const DAY_MS = 86_400_000;
const PAGE = 500;

export interface RetentionOptions {
  /** Finished sessions whose last activity is older than this many days are deleted. */
  days: number;
  log: { info(message: string): void; error(message: string): void };
  /** How often to sweep. @default 1 hour */
  intervalMs?: number;
  now?: () => Date;
}

/**
 * Deletes finished sessions idle for longer than `days`, at start and then every `intervalMs`,
 * through `deleteSession` (so their viewers are told). Running and waiting sessions are never
 * deleted, however old. Works on every store: it pages the session list from the cutoff on.
 */
export function startRetention(store: EventStore, opts: RetentionOptions) {
  const { now = () => new Date() } = opts;
  let running: Promise<number> | undefined;

  async function sweepOnce(): Promise<number> {
    const cutoff = new Date(now().getTime() - opts.days * DAY_MS).toISOString();
    // The list is newest first: start right after the cutoff, where only older sessions remain.
    let after: SessionCursor = { lastActivityAt: cutoff, id: '' };
    let deleted = 0;
    for (;;) {
      const page = await store.listSessions({ limit: PAGE, after });
      for (const s of page) {
        if (isFinished(s.status) && (await store.deleteSession(s.id))) deleted++;
      }
      if (page.length < PAGE) break;
      after = page.at(-1)!;
    }
    if (deleted > 0) {
      opts.log.info(`retention: deleted ${deleted} finished sessions idle since before ${cutoff}`);
    }
    return deleted;
  }

  /** One sweep now (joined if one is running); resolves to how many sessions it deleted. */
  function sweep(): Promise<number> {
    running ??= sweepOnce().finally(() => {
      running = undefined;
    });
    return running;
  }

  const tick = () =>
    void sweep().catch((err: Error) => opts.log.error(`retention: sweep failed: ${err.message}`));
  const timer = setInterval(tick, opts.intervalMs ?? 3_600_000);
  timer.unref();
  tick();
  return {
    sweep,
    stop: () => clearInterval(timer),
  };
}
