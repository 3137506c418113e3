/**
 * Prints how long a client takes from reconnecting to being caught up after missing 10, 1 000 and
 * 10 000 events, over SSE and over WebSocket. The client follows a session through a TCP proxy with
 * the connection manager; the proxy cuts it and refuses it while the events are appended; then the
 * proxy lets it in and the clock runs from `retryNow()` (so backoff is not counted) to the last event.
 * Run: `npm run bench:reconnect`.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { type AgentEvent, followSession, type Transport } from '@livetrail/client';
import { createChaosProxy } from '../support/createChaosProxy.ts';
import { startTestServer } from '../support/startTestServer.ts';

const MISSED = [10, 1_000, 10_000];
const event = (i: number): AgentEvent => ({
  type: 'assistant_message',
  text: `message ${i} `.padEnd(200, '.'),
});

async function until(check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function measure(transport: Transport, missed: number) {
  // Clients come through a proxy on another port: its Host must be accepted.
  const app = await startTestServer({ config: { allowedHosts: ['127.0.0.1'] } });
  const proxy = await createChaosProxy((app.server.address() as { port: number }).port);
  const session = await app.store.createSession({ title: 'bench', agent: 'bench' });
  await app.store.append(session.id, [event(0)]);
  let received = 0;
  const manager = followSession({
    url: proxy.url,
    sessionId: session.id,
    mode: transport,
    onEvent: () => {
      received++;
    },
  });
  try {
    await until(() => received === 1 && manager.state().status === 'connected');
    proxy.settings.refuse = true;
    proxy.cutAll();
    await until(() => manager.state().status === 'reconnecting');
    for (let i = 0; i < missed; i += 1000) {
      await app.store.append(
        session.id,
        Array.from({ length: Math.min(1000, missed - i) }, (_, j) => event(i + j + 1)),
      );
    }
    proxy.settings.refuse = false;
    const t0 = performance.now();
    manager.retryNow();
    await until(() => manager.state().status === 'connected' || manager.state().status === 'catching_up');
    const connectedMs = performance.now() - t0;
    await until(() => received === missed + 1);
    const caughtUpMs = performance.now() - t0;
    return {
      transport: transport === 'sse' ? 'SSE' : 'WebSocket',
      missed,
      'connected ms': connectedMs.toFixed(1),
      'caught up ms': caughtUpMs.toFixed(1),
      'events/s': Math.round(missed / (caughtUpMs / 1000)),
    };
  } finally {
    manager.close();
    await proxy.close();
    await app.stop();
  }
}

const rows = [];
for (const transport of ['sse', 'ws'] as const)
  for (const missed of MISSED) rows.push(await measure(transport, missed));
console.log(
  `reconnect → caught up (memory store, ~250-byte events, loopback TCP proxy); ` +
    `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}`,
);
console.table(rows);
