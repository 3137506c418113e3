import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLivetrailClient, type LivetrailClient } from '../../shared/createLivetrailClient.ts';
import { nodeTransports } from '../../shared/nodeTransports.ts';
import { type MongoWireServer, startMongoWireServer } from '../support/mongoWire/createMongoWireServer.ts';
import { type ChaosFollower, produce, startFollowers } from '../support/runChaosScenario.ts';
import { type ServerProcess, startServerProcess } from '../support/startServerProcess.ts';

/**
 * Viewers across server restarts: a real server process is killed and started again on the same
 * port while viewers follow and producers append.
 */
describe('viewers across server restarts', { timeout: 90_000 }, () => {
  let server: ServerProcess | undefined;
  let wire: MongoWireServer | undefined;
  let producer: LivetrailClient | undefined;
  let followers: ChaosFollower[] = [];
  afterEach(async () => {
    for (const f of followers) f.manager.close();
    followers = [];
    producer?.close();
    await server?.dispose();
    await wire?.stop();
    server = undefined;
    wire = undefined;
  });

  /** Appends through the server's API, riding out the moments it is down, as an agent would. */
  async function appendEventually(
    sessionId: string,
    events: Parameters<LivetrailClient['api']['events']['append']['mutate']>[0]['events'],
  ) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await producer!.api.events.append.mutate({ sessionId, events });
      } catch (err) {
        if (attempt > 100) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async function restartScenario(env: Record<string, string>, signal: NodeJS.Signals) {
    server = await startServerProcess({ env });
    producer = createLivetrailClient({ url: server.url });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await producer.api.sessions.create.mutate({ title: `r${i}` })).id);
    followers = startFollowers({ url: server.url, sessionIds: ids, perSession: 4, mode: 'auto' });
    let restarted: Promise<void> | undefined;
    await produce({
      append: (id, events) => appendEventually(id, events),
      sessionIds: ids,
      total: 800,
      complete: 1,
      seed: 7,
      onHalfway: () => {
        restarted = server!.stop(signal).then(() => server!.restart());
      },
    });
    await restarted;
    return ids;
  }

  async function expectExactTrails(ids: string[]) {
    const stored = new Map<string, number[]>();
    for (const id of ids) {
      const { events } = await producer!.api.events.list.query({ sessionId: id, limit: 1000 });
      stored.set(
        id,
        events.map((e) => e.seq),
      );
    }
    await vi.waitFor(
      () => {
        for (const f of followers) expect(f.seqs).toEqual(stored.get(f.sessionId));
      },
      { timeout: 30_000, interval: 100 },
    );
    expect(followers.flatMap((f) => f.errors)).toEqual([]);
    for (const f of followers) expect(f.ended).toBe(f.sessionId === ids[0]);
  }

  it('resumes exactly on the sqlite store, even after SIGKILL', async () => {
    const ids = await restartScenario({ LIVETRAIL_STORE: 'sqlite' }, 'SIGKILL');
    await expectExactTrails(ids);
  });

  it('resumes exactly on the Mongo store', async () => {
    wire = await startMongoWireServer();
    const ids = await restartScenario({ LIVETRAIL_STORE: 'mongo', MONGODB_URI: wire.uri }, 'SIGTERM');
    await expectExactTrails(ids);
  });

  it('tells viewers the session is gone after a restart of the volatile memory store', async () => {
    server = await startServerProcess({ env: { LIVETRAIL_STORE: 'memory' } });
    producer = createLivetrailClient({ url: server.url, ...nodeTransports });
    const id = (await producer.api.sessions.create.mutate({ title: 'volatile' })).id;
    await producer.api.events.append.mutate({ sessionId: id, events: [{ type: 'thought', text: 'x' }] });
    followers = startFollowers({ url: server.url, sessionIds: [id], perSession: 3, mode: 'auto' });
    await vi.waitFor(() => expect(followers.every((f) => f.seqs.length === 1)).toBe(true));
    await server.stop('SIGTERM');
    await server.restart();
    await vi.waitFor(() => expect(followers.every((f) => f.manager.state().status === 'failed')).toBe(true), {
      timeout: 20_000,
    });
    for (const f of followers)
      expect(f.manager.state().lastError).toMatch(/NOT_FOUND: sessionId: no session/);
  });
});
