import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStore } from '../../server/store/memoryStore.ts';
import type { ConnectionState } from '../../shared/connection/connectionState.ts';
import type { ConnectionManager } from '../../shared/connection/createConnectionManager.ts';
import { followSession } from '../../shared/connection/followSession.ts';
import { createLivetrailClient } from '../../shared/createLivetrailClient.ts';
import { nodeTransports } from '../../shared/nodeTransports.ts';
import { startTestServer, type TestServer } from '../support/startTestServer.ts';

describe('reconnecting to a restarted server in Node', () => {
  const store = createMemoryStore();
  let app: TestServer | undefined;
  let manager: ConnectionManager | undefined;
  afterEach(async () => {
    manager?.close();
    await app?.close();
    app = undefined;
  });

  /** The server goes away (the store survives, as a file or a database would) and comes back on its port. */
  async function restart(port: number, downMs: number) {
    await app!.close();
    app = undefined;
    await new Promise((r) => setTimeout(r, downMs));
    app = await startTestServer({ store, port });
  }

  it.each(['sse', 'ws'] as const)(
    'over %s is back as soon as /healthz answers, long before its backoff, and says why it waited',
    async (mode) => {
      app = await startTestServer({ store });
      const port = (app.server.address() as { port: number }).port;
      const url = `http://127.0.0.1:${port}`;
      const { id } = await store.createSession({ title: 't', agent: 'a' });
      const seqs: number[] = [];
      const states: ConnectionState[] = [];
      manager = followSession({
        url,
        sessionId: id,
        mode,
        ...nodeTransports,
        // A backoff no test would wait out: only the probe can bring it back in time.
        policy: { floorMs: 60_000, capMs: 60_000, reachabilityProbeMs: 100 },
        onEvent: (e) => seqs.push(e.seq),
        onState: (s) => states.push(s),
      });
      await vi.waitFor(() => expect(manager!.state().status).toBe('connected'));
      await restart(port, 500);
      await vi.waitFor(() => expect(manager!.state().status).toBe('connected'), { timeout: 10_000 });
      const waits = states.filter((s) => s.status === 'reconnecting');
      expect(waits.some((s) => s.status === 'reconnecting' && s.waitingForServer)).toBe(true);
      // Said in words: the open stream was cut (SSE sees the socket close; a WebSocket only a 1006,
      // "connection lost" until /healthz is asked), then nobody answered.
      const words = ['closed by the server', 'server unreachable', 'connection lost', 'server is restarting'];
      for (const s of waits) expect(words).toContain(s.lastError);
      expect(['closed by the server', 'server unreachable']).toContain(waits.at(-1)?.lastError);
      for (const s of states) expect(s.lastError ?? '').not.toMatch(/unknown error|initialization error/i);

      // Live again: the trail flows, exactly once.
      await store.append(id, [{ type: 'thought', text: 'after' }]);
      await vi.waitFor(() => expect(seqs).toEqual([1]));
    },
  );

  it('stores a message sent again with its key across a restart exactly once', async () => {
    app = await startTestServer({ store });
    const port = (app.server.address() as { port: number }).port;
    const client = createLivetrailClient({ url: `http://127.0.0.1:${port}`, ...nodeTransports });
    try {
      const { id } = await store.createSession({ title: 't', agent: 'a' });
      const message = { sessionId: id, text: 'once', idempotencyKey: 'composer-key-1' };
      await client.api.sessions.sendMessage.mutate(message);
      // The answer was lost (as far as the composer knows): the server restarts, and it sends again.
      await restart(port, 100);
      const again = await client.api.sessions.sendMessage.mutate(message);
      expect(again).toMatchObject({ duplicate: true });
      const { events } = await client.api.events.list.query({ sessionId: id });
      expect(events.filter((e) => e.type === 'user_message' && e.text === 'once')).toHaveLength(1);
    } finally {
      client.close();
    }
  });
});
