import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../server/store/openSqliteStore.ts';
import type { StoredEvent } from '../../shared/agentEvent.ts';
import type { Session } from '../../shared/session.ts';
import { readAllEvents } from '../bench/append/readAllEvents.ts';
import { checkStored } from '../bench/kill/checkStored.ts';
import { producerContext, runProducer } from '../bench/kill/killProducer.ts';
import { postTrpc } from '../bench/kill/postTrpc.ts';
import { MAIN_ENTRY, type SpawnedServer, spawnServer } from '../bench/store/spawnServer.ts';
import { captureLog } from '../support/sqliteFixture.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The correctness half of `npm run bench:kill`, bounded: keyed producers retrying until answered,
 * the server SIGKILLed at random moments and restarted on the same directory. Every acknowledged
 * batch must be stored whole, at the seqs it was acknowledged with, once; seqs stay gap-free.
 */
describe('the sqlite store under SIGKILL', () => {
  let server: SpawnedServer | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await server?.stop('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('loses, splits and doubles nothing acknowledged across 4 kills during 4 producers', async () => {
    dir = await mkdtemp(join(tmpdir(), 'livetrail-kill-'));
    server = await spawnServer({ entry: MAIN_ENTRY, dataDir: dir });
    let url = server.url;
    const port = server.port;
    const sessionIds: string[] = [];
    for (let i = 0; i < 2; i++) {
      const out = await postTrpc<Session>(url, 'sessions.create', `kill-${i}`, { title: `kill ${i}` });
      if (!out.ok) throw new Error(out.why);
      sessionIds.push(out.data.id);
    }
    let running = true;
    const ctx = producerContext(
      () => url,
      () => running,
      20,
    );
    const work = Array.from({ length: 4 }, (_, i) => runProducer(ctx, sessionIds[i % 2]!, `p${i}`));
    let inFlightAtKills = 0;
    for (let k = 0; k < 4; k++) {
      await sleep(300 + Math.random() * 700);
      inFlightAtKills += ctx.inFlight.count;
      await server.stop('SIGKILL');
      server = await spawnServer({ entry: MAIN_ENTRY, dataDir: dir, port });
      url = server.url;
    }
    await sleep(500);
    running = false;
    await Promise.all(work);
    await server.stop('SIGKILL');
    server = undefined;

    const log = captureLog();
    const store = await openSqliteStore({ dir, log: log.log });
    const stored = new Map<string, { events: StoredEvent[]; lastSeq: number | undefined }>();
    for (const id of sessionIds) {
      stored.set(id, {
        events: await readAllEvents(store, id),
        lastSeq: (await store.getSession(id))?.lastSeq,
      });
    }
    await store.close();

    const check = checkStored(ctx.batches, stored);
    // The kills must have hit writes in flight, or the test proves little.
    expect(inFlightAtKills).toBeGreaterThan(0);
    expect(check.batchesAcked).toBeGreaterThan(100);
    expect(check).toMatchObject({
      batchesRefused: 0,
      lostEvents: 0,
      partialBatches: 0,
      duplicateEvents: 0,
      misplacedEvents: 0,
      splitBatches: 0,
      unknownEvents: 0,
      eventsStored: check.eventsAcked,
    });
    for (const s of check.sessions) {
      expect(s.seqs).toBeNull();
      expect(s.lastSeq).toBe(s.stored);
    }
    expect(log.warn).toEqual([]);
  }, 90_000);

  it('has a batch on disk by the time it is acknowledged: SIGKILL the moment the answer arrives', async () => {
    dir = await mkdtemp(join(tmpdir(), 'livetrail-kill-'));
    server = await spawnServer({ entry: MAIN_ENTRY, dataDir: dir });
    const port = server.port;
    const created = await postTrpc<Session>(server.url, 'sessions.create', 'ack-kill', {
      title: 'ack then kill',
    });
    if (!created.ok) throw new Error(created.why);
    const sessionId = created.data.id;
    const acked: number[][] = [];
    for (let round = 0; round < 3; round++) {
      // Big enough (2 MB) that its commit takes far longer than the kill below.
      const events = Array.from({ length: 500 }, (_, j) => ({
        type: 'thought',
        text: `r${round}#${j} ${'z'.repeat(4_000)}`,
      }));
      const out = await postTrpc<{ seqs: number[] }>(server.url, 'events.append', `ack-${round}`, {
        sessionId,
        events,
      });
      if (!out.ok) throw new Error(out.why);
      await server.stop('SIGKILL');
      acked.push(out.data.seqs);
      server = await spawnServer({ entry: MAIN_ENTRY, dataDir: dir, port });
    }
    await server.stop('SIGKILL');
    server = undefined;
    const store = await openSqliteStore({ dir, log: captureLog().log });
    const events = await readAllEvents(store, sessionId);
    await store.close();
    expect(events.map((e) => e.seq)).toEqual(acked.flat());
    expect(events.length).toBe(1_500);
  }, 90_000);
});
