import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, register as globalRegistry, Histogram } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMetrics, type Metrics } from '../../server/metrics/createMetrics.ts';
import { serveMetrics } from '../../server/metrics/serveMetrics.ts';

/** Metrics over a store whose health the test can change between renders. */
function setup(kind = 'memory') {
  const health = { ok: true, live: true };
  const metrics = createMetrics({ storeHealth: () => health, storeKind: kind });
  return { health, metrics };
}

/** The value of the one sample written exactly as `series` (name plus labels), or undefined. */
async function sample(metrics: Metrics, series: string): Promise<number | undefined> {
  const { body } = await metrics.render();
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('createMetrics', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('exports every livetrail series at 0 before anything happens', async () => {
    const { metrics } = setup();
    expect(await sample(metrics, 'livetrail_open_connections{transport="plain_sse"}')).toBe(0);
    expect(await sample(metrics, 'livetrail_open_subscriptions{transport="ws"}')).toBe(0);
    expect(
      await sample(metrics, 'livetrail_subscriptions_started_total{transport="sse",procedure="other"}'),
    ).toBe(0);
    expect(await sample(metrics, 'livetrail_deliveries_total{transport="ws"}')).toBe(0);
    expect(await sample(metrics, 'livetrail_slow_readers_cut_total{transport="sse"}')).toBe(0);
    expect(await sample(metrics, 'livetrail_append_duration_seconds_count{outcome="error"}')).toBe(0);
    expect(await sample(metrics, 'livetrail_append_to_first_delivery_seconds_count')).toBe(0);
  });

  it('counts open connections per transport, and a closer decrements once however often it is called', async () => {
    const { metrics } = setup();
    const a = metrics.connectionOpened('ws');
    const b = metrics.connectionOpened('ws');
    metrics.connectionOpened('sse');
    expect(await sample(metrics, 'livetrail_open_connections{transport="ws"}')).toBe(2);
    expect(await sample(metrics, 'livetrail_open_connections{transport="sse"}')).toBe(1);
    a();
    a();
    expect(await sample(metrics, 'livetrail_open_connections{transport="ws"}')).toBe(1);
    b();
    expect(await sample(metrics, 'livetrail_open_connections{transport="ws"}')).toBe(0);
    expect(await sample(metrics, 'livetrail_open_connections{transport="sse"}')).toBe(1);
    expect(await sample(metrics, 'livetrail_open_connections{transport="plain_sse"}')).toBe(0);
  });

  it('counts open and started subscriptions; ending one twice decrements once and never uncounts a start', async () => {
    const { metrics } = setup();
    const end = metrics.subscriptionStarted('plain_sse', 'events.onEvents');
    metrics.subscriptionStarted('plain_sse', 'events.onEvents');
    expect(await sample(metrics, 'livetrail_open_subscriptions{transport="plain_sse"}')).toBe(2);
    end();
    end();
    expect(await sample(metrics, 'livetrail_open_subscriptions{transport="plain_sse"}')).toBe(1);
    expect(
      await sample(
        metrics,
        'livetrail_subscriptions_started_total{transport="plain_sse",procedure="events.onEvents"}',
      ),
    ).toBe(2);
    expect(await sample(metrics, 'livetrail_open_subscriptions{transport="sse"}')).toBe(0);
  });

  it('labels the known procedures by name and any other as "other"', async () => {
    const { metrics } = setup();
    metrics.subscriptionStarted('sse', 'live.onFeed');
    metrics.subscriptionStarted('sse', 'sessions.onChange');
    metrics.subscriptionStarted('sse', 'sessions.list');
    metrics.subscriptionStarted('sse', 'x'.repeat(200));
    const started = (procedure: string) =>
      sample(metrics, `livetrail_subscriptions_started_total{transport="sse",procedure="${procedure}"}`);
    expect(await started('live.onFeed')).toBe(1);
    expect(await started('sessions.onChange')).toBe(1);
    expect(await started('events.onEvents')).toBe(0);
    expect(await started('other')).toBe(2);
    const { body } = await metrics.render();
    expect(body).not.toContain('sessions.list');
    expect(body).not.toContain('xxxx');
  });

  it('counts deliveries (1 by default, n when given, nothing for n <= 0) and slow readers cut', async () => {
    const { metrics } = setup();
    metrics.delivered('ws');
    metrics.delivered('ws', 41);
    metrics.delivered('ws', 0);
    metrics.delivered('ws', -5);
    metrics.delivered('sse', 3);
    metrics.slowReaderCut('plain_sse');
    metrics.slowReaderCut('plain_sse');
    expect(await sample(metrics, 'livetrail_deliveries_total{transport="ws"}')).toBe(42);
    expect(await sample(metrics, 'livetrail_deliveries_total{transport="sse"}')).toBe(3);
    expect(await sample(metrics, 'livetrail_slow_readers_cut_total{transport="plain_sse"}')).toBe(2);
    expect(await sample(metrics, 'livetrail_slow_readers_cut_total{transport="ws"}')).toBe(0);
  });

  it('observes append durations by outcome into buckets from 0.5 ms to 5 s', async () => {
    const { metrics } = setup();
    metrics.observeAppend(0.0004, true);
    metrics.observeAppend(4, true);
    metrics.observeAppend(0.2, false);
    const bucket = (le: string, outcome: string) =>
      sample(metrics, `livetrail_append_duration_seconds_bucket{le="${le}",outcome="${outcome}"}`);
    expect(await bucket('0.0005', 'ok')).toBe(1);
    expect(await bucket('2.5', 'ok')).toBe(1);
    expect(await bucket('5', 'ok')).toBe(2);
    expect(await bucket('0.1', 'error')).toBe(0);
    expect(await bucket('0.25', 'error')).toBe(1);
    expect(await sample(metrics, 'livetrail_append_duration_seconds_count{outcome="ok"}')).toBe(2);
    expect(await sample(metrics, 'livetrail_append_duration_seconds_sum{outcome="error"}')).toBe(0.2);
  });

  it('observes append-to-first-delivery times into buckets from 0.1 ms to 2.5 s', async () => {
    const { metrics } = setup();
    metrics.observeFirstDelivery(0.00005);
    metrics.observeFirstDelivery(2);
    const bucket = (le: string) =>
      sample(metrics, `livetrail_append_to_first_delivery_seconds_bucket{le="${le}"}`);
    expect(await bucket('0.0001')).toBe(1);
    expect(await bucket('1')).toBe(1);
    expect(await bucket('2.5')).toBe(2);
    expect(await sample(metrics, 'livetrail_append_to_first_delivery_seconds_count')).toBe(2);
  });

  it('reads store health at each render, and reports the store kind', async () => {
    const { health, metrics } = setup('mongo');
    expect(await sample(metrics, 'livetrail_store_ok')).toBe(1);
    expect(await sample(metrics, 'livetrail_store_live')).toBe(1);
    health.live = false;
    expect(await sample(metrics, 'livetrail_store_ok')).toBe(1);
    expect(await sample(metrics, 'livetrail_store_live')).toBe(0);
    health.ok = false;
    expect(await sample(metrics, 'livetrail_store_ok')).toBe(0);
    health.ok = true;
    health.live = true;
    expect(await sample(metrics, 'livetrail_store_ok')).toBe(1);
    expect(await sample(metrics, 'livetrail_store_live')).toBe(1);
    expect(await sample(metrics, 'livetrail_store_info{kind="mongo"}')).toBe(1);
  });

  it('reports a store whose health check throws as down instead of failing the scrape', async () => {
    const metrics = createMetrics({
      storeHealth: () => {
        throw new Error('boom');
      },
      storeKind: 'file',
    });
    expect(await sample(metrics, 'livetrail_store_ok')).toBe(0);
    expect(await sample(metrics, 'livetrail_store_live')).toBe(0);
  });

  it('renders Prometheus text with the default process and Node metrics', async () => {
    const { metrics } = setup();
    const { contentType, body } = await metrics.render();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(body).toContain('# TYPE livetrail_open_connections gauge');
    expect(body).toContain('# TYPE livetrail_deliveries_total counter');
    expect(body).toContain('# TYPE livetrail_append_duration_seconds histogram');
    expect(body).toMatch(/^process_cpu_user_seconds_total /m);
    expect(body).toMatch(/^process_resident_memory_bytes /m);
    expect(body).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('keeps each instance in its own registry, so two in one process neither clash nor share counts', async () => {
    const first = setup();
    let second: ReturnType<typeof setup> | undefined;
    expect(() => {
      second = setup();
    }).not.toThrow();
    first.metrics.delivered('sse', 5);
    second!.metrics.delivered('sse', 2);
    expect(await sample(first.metrics, 'livetrail_deliveries_total{transport="sse"}')).toBe(5);
    expect(await sample(second!.metrics, 'livetrail_deliveries_total{transport="sse"}')).toBe(2);
    expect(globalRegistry.getSingleMetric('livetrail_deliveries_total')).toBeUndefined();
    expect(globalRegistry.getSingleMetric('process_cpu_user_seconds_total')).toBeUndefined();
  });

  it('binds label children once, not on every call', () => {
    const { metrics } = setup();
    const spies = [
      vi.spyOn(Counter.prototype, 'labels'),
      vi.spyOn(Gauge.prototype, 'labels'),
      vi.spyOn(Histogram.prototype, 'labels'),
    ];
    metrics.connectionOpened('ws')();
    metrics.subscriptionStarted('sse', 'events.onEvents')();
    metrics.subscriptionStarted('sse', 'unknown')();
    metrics.delivered('plain_sse', 2);
    metrics.slowReaderCut('ws');
    metrics.observeAppend(0.01, true);
    metrics.observeAppend(0.01, false);
    metrics.observeFirstDelivery(0.001);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });
});

describe('serveMetrics', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  /** A real HTTP server on 127.0.0.1 that answers every request with serveMetrics; its /metrics URL. */
  async function listen(metrics: Metrics): Promise<string> {
    server = createServer((req, res) => {
      serveMetrics(metrics, req, res).catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  }

  it('answers GET with 200, the Prometheus text content type, no-store and the metrics', async () => {
    const { metrics } = setup();
    metrics.delivered('ws', 7);
    const res = await fetch(await listen(metrics));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toMatch(/^livetrail_deliveries_total\{transport="ws"\} 7$/m);
  });

  it('answers HEAD with 200 and the headers but no body', async () => {
    const { metrics } = setup();
    const res = await fetch(await listen(metrics), { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(Number(res.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await res.text()).toBe('');
  });

  it('answers POST with 405, allow: GET, HEAD and a JSON error', async () => {
    const { metrics } = setup();
    const res = await fetch(await listen(metrics), { method: 'POST', body: 'x' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect(body.error.message).toBeTypeOf('string');
  });
});
