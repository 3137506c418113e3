import type { EventStore } from '../../server/store/eventStore.ts';
import type { AgentEvent } from '../../shared/agentEvent.ts';
import type { TransportMode } from '../../shared/connection/connectionState.ts';
import type { ConnectionManager } from '../../shared/connection/createConnectionManager.ts';
import { followSession } from '../../shared/connection/followSession.ts';
import { nodeTransports } from '../../shared/nodeTransports.ts';
import { seededRandom } from './startChaos.ts';

/** One viewer of one session, and everything it received. */
export interface ChaosFollower {
  sessionId: string;
  seqs: number[];
  ended: boolean;
  errors: string[];
  manager: ConnectionManager;
}

/** Starts `perSession` followers of each session through `url` with a brisk reconnect policy. */
export function startFollowers(opts: {
  url: string;
  sessionIds: string[];
  perSession: number;
  mode: TransportMode;
  sseRetryAfterMs?: number;
}): ChaosFollower[] {
  return opts.sessionIds.flatMap((sessionId) =>
    Array.from({ length: opts.perSession }, () => {
      const f = { sessionId, seqs: [] as number[], ended: false, errors: [] as string[] } as ChaosFollower;
      f.manager = followSession({
        url: opts.url,
        sessionId,
        mode: opts.mode,
        ...nodeTransports,
        connectTimeoutMs: 2000,
        policy: { floorMs: 50, capMs: 1000, sseRetryAfterMs: opts.sseRetryAfterMs ?? 3_600_000 },
        onEvent: (e) => f.seqs.push(e.seq),
        onEnd: () => {
          f.ended = true;
        },
        onState: (s) => {
          if (s.status === 'failed') f.errors.push(s.error);
        },
      });
      return f;
    }),
  );
}

/**
 * Appends `total` events across the sessions in random batches of 1–20, then completes the first
 * `complete` sessions. Appends go straight to the server (producers sit next to it); only viewers
 * go through the faulty network.
 */
export async function produce(opts: {
  append: (sessionId: string, events: AgentEvent[]) => Promise<unknown>;
  sessionIds: string[];
  total: number;
  complete: number;
  seed: number;
  onHalfway?: () => void;
}): Promise<void> {
  const random = seededRandom(opts.seed);
  let sent = 0;
  let halfway = false;
  while (sent < opts.total) {
    const n = Math.min(opts.total - sent, 1 + Math.floor(random() * 20));
    const sessionId = opts.sessionIds[Math.floor(random() * opts.sessionIds.length)]!;
    await opts.append(
      sessionId,
      Array.from({ length: n }, (_, i) => ({ type: 'thought', text: `${sent + i}` }) as AgentEvent),
    );
    sent += n;
    if (!halfway && sent >= opts.total / 2) {
      halfway = true;
      opts.onHalfway?.();
    }
    await new Promise((r) => setTimeout(r, 2 + random() * 10));
  }
  for (const sessionId of opts.sessionIds.slice(0, opts.complete)) {
    await opts.append(sessionId, [{ type: 'complete', status: 'succeeded', summary: 'chaos survived' }]);
  }
}

/** The stored seqs of each session, read back from the store. */
export async function storedSeqs(store: EventStore, sessionIds: string[]): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const id of sessionIds)
    out.set(
      id,
      (await store.readEvents(id, { after: 0, limit: 1_000_000 })).map((e) => e.seq),
    );
  return out;
}
