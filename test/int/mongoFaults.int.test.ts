import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../server/logger.ts';
import type { EventStore } from '../../server/store/eventStore.ts';
import { createMongoStore, STANDALONE_MESSAGE } from '../../server/store/mongoStore.ts';
import type { AgentEvent } from '../../shared/agentEvent.ts';
import {
  createLivetrailClient,
  type LivetrailClient,
  type Transport,
} from '../../shared/createLivetrailClient.ts';
import { nodeTransports } from '../../shared/nodeTransports.ts';
import type { SessionListMessage, SessionStreamMessage } from '../../shared/streamMessages.ts';
import { type Collected, collectSubscription } from '../support/collectSubscription.ts';
import { type MongoFaultBackend, realFaultBackend, wireFaultBackend } from '../support/mongoFaultBackend.ts';
import { startMongoWireServer } from '../support/mongoWire/createMongoWireServer.ts';
import { freshDbName, openMongoStore } from '../support/openMongoFixture.ts';
import { startTestServer, type TestServer } from '../support/startTestServer.ts';

type App = TestServer;
const thoughts = (n: number, tag = 't'): AgentEvent[] =>
  Array.from({ length: n }, (_, i) => ({ type: 'thought', text: `${tag}${i}` }));
const seqsOf = (c: Collected<SessionStreamMessage>) =>
  c.data.flatMap((m) => (m.kind === 'event' ? [m.event.seq] : []));

/** What a fault backend can stage beyond fail points and dropped connections. */
interface Capabilities {
  outage: boolean;
  truncate: boolean;
  cursors: boolean;
}

function describeMongoFaults(name: string, can: Capabilities, open: () => Promise<MongoFaultBackend>) {
  describe(`mongo store faults: ${name}`, () => {
    let wire: MongoFaultBackend;
    let dbName: string;
    const apps: App[] = [];
    const clients: LivetrailClient[] = [];
    const subs: Collected<unknown>[] = [];

    beforeEach(async () => {
      wire = await open();
      dbName = freshDbName();
    });
    afterEach(async () => {
      for (const s of subs.splice(0)) s.unsubscribe();
      for (const c of clients.splice(0)) c.close();
      for (const a of apps.splice(0)) await a.stop().catch(() => {});
      await wire.close();
    });

    async function startApp(onWarn?: (details: { code?: number }) => void): Promise<App> {
      const app = await startTestServer({ store: await openMongoStore(wire.uri, dbName, onWarn) });
      apps.push(app);
      return app;
    }

    function client(app: App, transport: Transport = 'sse'): LivetrailClient {
      const c = createLivetrailClient({
        url: app.url,
        transport,
        ...nodeTransports,
        retryDelayMs: () => 100,
        // These tests look at the server's own answers; the client's write retries are tested elsewhere.
        writeRetry: { maxRetries: 0 },
      });
      clients.push(c);
      return c;
    }

    function follow(c: LivetrailClient, sessionId: string): Collected<SessionStreamMessage> {
      const sub = collectSubscription<SessionStreamMessage>((h) =>
        c.api.events.onEvents.subscribe({ sessionId }, h),
      );
      subs.push(sub as Collected<unknown>);
      return sub;
    }

    /** Appends like a producer would while storage flickers: retrying while it answers UNAVAILABLE. */
    async function appendEventually(store: EventStore, sessionId: string, events: AgentEvent[]) {
      for (let attempt = 0; ; attempt++) {
        try {
          return await store.append(sessionId, events);
        } catch (err) {
          if ((err as { code?: string }).code !== 'UNAVAILABLE' || attempt > 20) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }

    /** Every subscriber ends with exactly the stored sequence: 1..N, nothing doubled or missing. */
    async function expectExactly(
      store: EventStore,
      sessionId: string,
      followers: Collected<SessionStreamMessage>[],
    ) {
      const stored = (await store.readEvents(sessionId, { after: 0, limit: 100_000 })).map((e) => e.seq);
      expect(stored).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
      await vi.waitFor(
        () => {
          for (const f of followers) expect(seqsOf(f)).toEqual(stored);
        },
        { timeout: 15_000 },
      );
      return stored.length;
    }

    async function followersOn(app: App, sessionId: string) {
      const followers = [
        follow(client(app, 'sse'), sessionId),
        follow(client(app, 'ws'), sessionId),
        follow(client(app, 'sse'), sessionId),
      ];
      await vi.waitFor(() => expect(app.store.health().live).toBe(true));
      return followers;
    }

    it('loses and doubles nothing when connections drop mid-stream (the driver resumes)', async () => {
      const app = await startApp();
      const s = await app.store.createSession({ title: 'x', agent: 'a' });
      const followers = await followersOn(app, s.id);
      for (let round = 0; round < 5; round++) {
        await app.store.append(s.id, thoughts(20));
        await wire.dropConnections();
        await appendEventually(app.store, s.id, thoughts(5));
      }
      // A write cut off mid-flight may or may not have landed, so count what is stored; what matters is
      // that every subscriber holds exactly that.
      expect(await expectExactly(app.store, s.id, followers)).toBeGreaterThanOrEqual(125);
    });

    it('resumes after a resumable error on getMore', async () => {
      const app = await startApp();
      const s = await app.store.createSession({ title: 'x', agent: 'a' });
      const followers = await followersOn(app, s.id);
      await app.store.append(s.id, thoughts(10));
      await wire.failCommand({
        mode: { times: 2 },
        data: { failCommands: ['getMore'], errorCode: 6, errorLabels: ['ResumableChangeStreamError'] },
      });
      await app.store.append(s.id, thoughts(10));
      await app.store.append(s.id, thoughts(10));
      expect(await expectExactly(app.store, s.id, followers)).toBe(30);
    });

    it('reopens its stream and reconciles every subscriber after a non-resumable error', async () => {
      const app = await startApp();
      const s = await app.store.createSession({ title: 'x', agent: 'a' });
      const followers = await followersOn(app, s.id);
      await app.store.append(s.id, thoughts(10));
      await wire.failCommand({ mode: { times: 1 }, data: { failCommands: ['getMore'], errorCode: 2 } });
      await app.store.append(s.id, thoughts(10));
      await vi.waitFor(() => expect(app.store.health().live).toBe(true));
      await app.store.append(s.id, thoughts(10));
      expect(await expectExactly(app.store, s.id, followers)).toBe(30);
    });

    it.runIf(can.truncate)(
      'reopens from now and reconciles every subscriber when change history is lost (286)',
      async () => {
        const warnings: { code?: number }[] = [];
        const app = await startApp((w) => warnings.push(w));
        const s = await app.store.createSession({ title: 'x', agent: 'a' });
        const followers = await followersOn(app, s.id);
        await app.store.append(s.id, thoughts(10));
        await vi.waitFor(() => expect(seqsOf(followers[0]!)).toHaveLength(10));
        // Hold the stream's next getMore so it falls behind, let events land, then drop the history it
        // would resume from and cut its connection: its resume gets 286.
        await wire.failCommand({
          mode: { times: 1 },
          data: { failCommands: ['getMore'], blockConnection: true, blockTimeMS: 3000 },
        });
        await new Promise((r) => setTimeout(r, 1200));
        await app.store.append(s.id, thoughts(10));
        wire.truncateHistory!();
        await wire.dropConnections();
        await vi.waitFor(() => expect(warnings.some((w) => w.code === 286)).toBe(true), { timeout: 10_000 });
        await appendEventually(app.store, s.id, thoughts(10));
        expect(await expectExactly(app.store, s.id, followers)).toBeGreaterThanOrEqual(30);
      },
    );

    it.runIf(can.outage)(
      'fails appends fast as unavailable while MongoDB is down, keeps subscribers, and catches them up',
      async () => {
        const app = await startApp();
        const s = await app.store.createSession({ title: 'x', agent: 'a' });
        const followers = await followersOn(app, s.id);
        await app.store.append(s.id, thoughts(5));
        await wire.outage!.stop();
        const started = Date.now();
        const api = client(app).api;
        const err = await api.events.append
          .mutate({ sessionId: s.id, events: thoughts(1) })
          .catch((e: unknown) => e);
        expect(Date.now() - started).toBeLessThan(5000);
        expect(err).toMatchObject({ data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503 } });
        expect((err as Error).message).toMatch(/storage unavailable/);
        const ready = await fetch(`${app.url}/readyz`);
        expect(ready.status).toBe(503);
        await wire.outage!.start();
        await vi.waitFor(() => expect(app.store.health().live).toBe(true), { timeout: 10_000 });
        await app.store.append(s.id, thoughts(5));
        expect(await expectExactly(app.store, s.id, followers)).toBe(10);
        expect(followers.every((f) => f.errors.length === 0)).toBe(true);
        expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
      },
    );

    it('streams across two server processes on one database', async () => {
      const a = await startApp();
      const b = await startApp();
      const onB = collectSubscription<SessionListMessage>((h) =>
        client(b).api.sessions.onChange.subscribe({}, h),
      );
      subs.push(onB as Collected<unknown>);
      await vi.waitFor(() => expect(onB.data).toHaveLength(1));
      const s = await client(a).api.sessions.create.mutate({ title: 'made on A' });
      await vi.waitFor(() =>
        expect(
          onB.data.some(
            (m) => m.kind === 'upsert' && m.session.id === s.id && m.session.title === 'made on A',
          ),
        ).toBe(true),
      );
      const followers = [follow(client(b), s.id), follow(client(a), s.id)];
      // Writers on both processes at once: seqs stay gap-free and everyone sees the same order.
      await Promise.all([
        ...Array.from({ length: 10 }, () => a.store.append(s.id, thoughts(3, 'a'))),
        ...Array.from({ length: 10 }, () => b.store.append(s.id, thoughts(3, 'b'))),
      ]);
      expect(await expectExactly(a.store, s.id, followers)).toBe(60);
    });

    it.runIf(can.cursors)(
      'keeps one change stream per process however many subscribers there are',
      async () => {
        const app = await startApp();
        const s = await app.store.createSession({ title: 'x', agent: 'a' });
        const c = client(app);
        const followers = Array.from({ length: 12 }, () => follow(c, s.id));
        await app.store.append(s.id, thoughts(3));
        await vi.waitFor(() => {
          for (const f of followers) expect(seqsOf(f)).toEqual([1, 2, 3]);
        });
        expect(wire.changeStreamCursors!()).toBe(1);
      },
    );
  });
}

describeMongoFaults(
  'wire-protocol test server',
  { outage: true, truncate: true, cursors: true },
  wireFaultBackend,
);

// Unchanged against a real replica set with test commands enabled, where one is given. Stopping the
// server and dropping its oplog are not something a test can do to a real deployment.
const realUri = process.env.MONGODB_TEST_URI;
if (realUri) {
  describeMongoFaults('MONGODB_TEST_URI', { outage: false, truncate: false, cursors: false }, () =>
    realFaultBackend(realUri),
  );
}

describe('mongo store start-up', () => {
  it('refuses to start on a standalone server, saying how to fix it', async () => {
    const standalone = await startMongoWireServer({ standalone: true });
    try {
      const err = await createMongoStore({
        uri: standalone.uri,
        log: createLogger('silent'),
        serverSelectionTimeoutMS: 1500,
      }).catch((e: unknown) => e);
      expect((err as Error).message).toBe(STANDALONE_MESSAGE);
      expect(STANDALONE_MESSAGE).toMatch(/--replSet rs0.*rs\.initiate\(\)/);
    } finally {
      await standalone.stop();
    }
  });
});
