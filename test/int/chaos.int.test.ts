import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TransportMode } from '../../shared/connection/connectionState.ts';
import { type ChaosProxy, createChaosProxy } from '../support/createChaosProxy.ts';
import { type ChaosFollower, produce, startFollowers, storedSeqs } from '../support/runChaosScenario.ts';
import { startChaos } from '../support/startChaos.ts';
import { startTestServer, type TestServer } from '../support/startTestServer.ts';

const SESSIONS = 4;
const PER_SESSION = 6;
const EVENTS = 3000;

describe('chaos: every viewer ends with exactly the stored trail', { timeout: 60_000 }, () => {
  let app: TestServer | undefined;
  let proxy: ChaosProxy | undefined;
  let followers: ChaosFollower[] = [];
  afterEach(async () => {
    for (const f of followers) f.manager.close();
    followers = [];
    await proxy?.close();
    await app?.stop();
  });

  async function scenario(mode: TransportMode, seed: number, failSseHalfway = false) {
    // Clients come through a proxy on another port: its Host must be accepted.
    app = await startTestServer({ config: { allowedHosts: ['127.0.0.1'] } });
    proxy = await createChaosProxy((app.server.address() as { port: number }).port);
    const ids: string[] = [];
    for (let i = 0; i < SESSIONS; i++)
      ids.push((await app.store.createSession({ title: `s${i}`, agent: 'chaos' })).id);
    followers = startFollowers({ url: proxy.url, sessionIds: ids, perSession: PER_SESSION, mode });
    const stopChaos = startChaos(proxy, { seed });
    const store = app.store;
    await produce({
      append: (id, events) => store.append(id, events),
      sessionIds: ids,
      total: EVENTS,
      complete: 2,
      seed,
      onHalfway: () => {
        if (!failSseHalfway) return;
        proxy!.settings.failSse = true;
        proxy!.cutAll();
      },
    });
    const chaos = stopChaos();
    const stored = await storedSeqs(store, ids);
    await vi.waitFor(
      () => {
        for (const f of followers) expect(f.seqs).toEqual(stored.get(f.sessionId));
      },
      { timeout: 30_000, interval: 100 },
    );
    // The two completed sessions ended for their viewers; nobody failed for good.
    for (const f of followers) expect(f.ended).toBe(ids.indexOf(f.sessionId) < 2);
    expect(followers.flatMap((f) => f.errors)).toEqual([]);
    expect(chaos.cuts + chaos.stalls + chaos.refusals + chaos.delays).toBeGreaterThan(10);
    expect([...stored.values()].flat()).toHaveLength(EVENTS + 2);
    return { chaos };
  }

  it('over SSE only', async () => {
    await scenario('sse', 1);
    expect(followers.every((f) => f.manager.state().transport === 'sse')).toBe(true);
  });

  it('over WebSocket only', async () => {
    await scenario('ws', 2);
    expect(followers.every((f) => f.manager.state().transport === 'ws')).toBe(true);
  });

  it('when SSE starts failing halfway and every viewer falls back to WebSocket', async () => {
    await scenario('auto', 3, true);
    // Viewers of open sessions are still following, now over WebSocket.
    const open = followers.filter((f) => !f.ended);
    expect(open.length).toBeGreaterThan(0);
    expect(open.every((f) => f.manager.state().transport === 'ws')).toBe(true);
  });
});
