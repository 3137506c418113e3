import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** How a subscriber is connected: tRPC over SSE, tRPC over WebSocket, or the plain SSE URL. */
export type Transport = 'sse' | 'ws' | 'plain_sse';

/** Every transport, in label order. */
export const TRANSPORTS: readonly Transport[] = ['sse', 'ws', 'plain_sse'];

/**
 * The subscription procedures that get their own `procedure` label value; any other name is
 * counted as `other`, so a caller cannot grow the number of series.
 */
export const KNOWN_PROCEDURES = ['events.onEvents', 'live.onFeed', 'sessions.onChange'] as const;

/** Seconds, 0.5 ms .. 5 s: an append's round trip to the store. */
const APPEND_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Seconds, 0.1 ms .. 2.5 s: from an event being stored to its first write to a subscriber. */
const FIRST_DELIVERY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];

/** What one server counts, in its own registry. Every method is cheap enough for the hot path. */
export interface Metrics {
  /** This server's registry (never prom-client's global one), e.g. to add a metric. */
  readonly registry: Registry;
  /** Counts an open connection; the returned function closes it (a second call does nothing). */
  connectionOpened(transport: Transport): () => void;
  /**
   * Counts a started subscription and an open one; the returned function ends it (a second call
   * does nothing). `procedure` is a label only if it is one of {@link KNOWN_PROCEDURES}, else `other`.
   */
  subscriptionStarted(transport: Transport, procedure: string): () => void;
  /** Counts `n` events or messages written to subscribers (ignored unless n > 0). */
  delivered(transport: Transport, n?: number): void;
  /** Counts a subscriber cut off for reading too slowly. */
  slowReaderCut(transport: Transport): void;
  /** Records how long a store append took and whether it succeeded. */
  observeAppend(seconds: number, ok: boolean): void;
  /** Records the time from an event being stored to its first write to any subscriber. */
  observeFirstDelivery(seconds: number): void;
  /** The Prometheus text exposition of every metric, and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

/** Builds `{ sse: f('sse'), ws: f('ws'), plain_sse: f('plain_sse') }`. */
function perTransport<T>(f: (transport: Transport) => T): Record<Transport, T> {
  return { sse: f('sse'), ws: f('ws'), plain_sse: f('plain_sse') };
}

/** A function that runs `f` the first time it is called and does nothing after. */
function once(f: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    f();
  };
}

/** 1 if the store's health has `key` set, 0 if not or if asking throws. */
function healthFlag(storeHealth: () => { ok: boolean; live: boolean }, key: 'ok' | 'live'): number {
  try {
    return storeHealth()[key] ? 1 : 0;
  } catch {
    return 0;
  }
}

/**
 * The Prometheus metrics of one livetrail server, in a registry of its own (so many servers can
 * live in one process): Node's default process metrics plus `livetrail_*` connection,
 * subscription, delivery, slow-reader, append-latency and store-health metrics. Label children
 * are bound once here, so the methods only add to a number. Store health is read from
 * `opts.storeHealth` at each scrape.
 */
export function createMetrics(opts: {
  storeHealth: () => { ok: boolean; live: boolean };
  storeKind: string;
}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const openConnections = new Gauge({
    name: 'livetrail_open_connections',
    help: 'Open subscriber connections, by transport.',
    labelNames: ['transport'] as const,
    registers,
  });
  const openSubscriptions = new Gauge({
    name: 'livetrail_open_subscriptions',
    help: 'Open subscriptions, by transport.',
    labelNames: ['transport'] as const,
    registers,
  });
  const subscriptionsStarted = new Counter({
    name: 'livetrail_subscriptions_started_total',
    help: 'Subscriptions started, by transport and procedure (unknown procedures count as "other").',
    labelNames: ['transport', 'procedure'] as const,
    registers,
  });
  const deliveries = new Counter({
    name: 'livetrail_deliveries_total',
    help: 'Events and messages written to subscribers, by transport.',
    labelNames: ['transport'] as const,
    registers,
  });
  const slowReadersCut = new Counter({
    name: 'livetrail_slow_readers_cut_total',
    help: 'Subscribers cut off for reading too slowly, by transport.',
    labelNames: ['transport'] as const,
    registers,
  });
  const appendDuration = new Histogram({
    name: 'livetrail_append_duration_seconds',
    help: 'Duration of store appends in seconds, by outcome (ok or error).',
    labelNames: ['outcome'] as const,
    buckets: APPEND_BUCKETS,
    registers,
  });
  const firstDelivery = new Histogram({
    name: 'livetrail_append_to_first_delivery_seconds',
    help: 'Seconds from an event being stored to its first write to any subscriber.',
    buckets: FIRST_DELIVERY_BUCKETS,
    registers,
  });
  const { storeHealth } = opts;
  new Gauge({
    name: 'livetrail_store_ok',
    help: '1 if the event store is healthy, else 0.',
    registers,
    collect() {
      this.set(healthFlag(storeHealth, 'ok'));
    },
  });
  new Gauge({
    name: 'livetrail_store_live',
    help: "1 if the event store's live feed is working, else 0.",
    registers,
    collect() {
      this.set(healthFlag(storeHealth, 'live'));
    },
  });
  new Gauge({
    name: 'livetrail_store_info',
    help: 'The configured event store backend (always 1).',
    labelNames: ['kind'] as const,
    registers,
  }).set({ kind: opts.storeKind }, 1);

  // Bound once, and set to 0 so every series is exported (and rate() works) from the first scrape.
  const connectionsBy = perTransport((t) => openConnections.labels(t));
  const subscriptionsBy = perTransport((t) => openSubscriptions.labels(t));
  const startedBy = perTransport((t) => {
    const byProcedure = new Map<string, ReturnType<typeof subscriptionsStarted.labels>>();
    for (const p of [...KNOWN_PROCEDURES, 'other']) byProcedure.set(p, subscriptionsStarted.labels(t, p));
    return byProcedure;
  });
  const deliveriesBy = perTransport((t) => deliveries.labels(t));
  const slowCutsBy = perTransport((t) => slowReadersCut.labels(t));
  const appendOk = appendDuration.labels('ok');
  const appendError = appendDuration.labels('error');
  for (const t of TRANSPORTS) {
    connectionsBy[t].set(0);
    subscriptionsBy[t].set(0);
    for (const child of startedBy[t].values()) child.inc(0);
    deliveriesBy[t].inc(0);
    slowCutsBy[t].inc(0);
  }
  appendDuration.zero({ outcome: 'ok' });
  appendDuration.zero({ outcome: 'error' });

  return {
    registry,
    connectionOpened(transport) {
      const gauge = connectionsBy[transport];
      gauge.inc();
      return once(() => gauge.dec());
    },
    subscriptionStarted(transport, procedure) {
      const byProcedure = startedBy[transport];
      (byProcedure.get(procedure) ?? byProcedure.get('other'))!.inc();
      const gauge = subscriptionsBy[transport];
      gauge.inc();
      return once(() => gauge.dec());
    },
    delivered(transport, n = 1) {
      if (n > 0) deliveriesBy[transport].inc(n);
    },
    slowReaderCut(transport) {
      slowCutsBy[transport].inc();
    },
    observeAppend(seconds, ok) {
      (ok ? appendOk : appendError).observe(seconds);
    },
    observeFirstDelivery(seconds) {
      firstDelivery.observe(seconds);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
