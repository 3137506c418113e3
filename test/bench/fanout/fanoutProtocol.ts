/** The servers the fan-out bench compares; `--only` takes these names. */
export const SERVER_KINDS = ['bare-sse', 'bare-ws', 'socket.io', 'trpc-sse', 'trpc-ws', 'plain-sse'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

/** Whether the kind is served by livetrail itself (sessions, `events.append`) rather than a floor server. */
export function isLivetrail(kind: ServerKind): boolean {
  return kind === 'trpc-sse' || kind === 'trpc-ws' || kind === 'plain-sse';
}

/** What the client process talks to: the server's kind, base URL and PID (for /proc readings). */
export interface Target {
  kind: ServerKind;
  /** `http://127.0.0.1:<port>` */
  url: string;
  pid: number;
}

/** Measurement A: `events` published as fast as the server accepts them, `window` in flight. */
export interface BurstCommand {
  op: 'burst';
  subscribers: number;
  events: number;
  window: number;
  /** The measurement ends here (from the first publish) even if deliveries are still missing. */
  capMs: number;
}

/** Measurements B and D: `rate` events/s in all for `seconds`, round-robin over `channels`. */
export interface PacedCommand {
  op: 'paced';
  channels: number;
  perChannel: number;
  rate: number;
  seconds: number;
  /** How long after the last publish deliveries may still arrive. */
  drainMs: number;
}

/** Measurement C: server RSS before and after `subscribers` idle subscribers are opened. */
export interface IdleCommand {
  op: 'idle';
  subscribers: number;
  batch: number;
  settleMs: number;
}

export type ClientCommand = BurstCommand | PacedCommand | IdleCommand;

/** How opening a group of subscribers went. */
export interface OpenStats {
  opened: number;
  failed: number;
  /** Not tried: the group's open budget ran out first. */
  skipped: number;
  firstError?: string;
  openMs: number;
  /** Subscribers that closed or failed after they were open. */
  dropped: number;
}

export interface BurstResult {
  open: OpenStats;
  delivered: number;
  expected: number;
  /** Last delivery − first publish. */
  elapsedMs: number;
  deliveriesPerSec: number;
  /** The cap ended the measurement before every delivery arrived. */
  timedOut: boolean;
  /** Events asked for, and the cap, as in the command. */
  events: number;
  capMs: number;
  /** Appends the server had answered when the measurement ended. */
  published: number;
  publishErrors: number;
  firstPublishError?: string;
  /** Percent of one core over the measurement. */
  serverCpu: number;
  clientCpu: number;
}

export interface PacedResult {
  open: OpenStats;
  delivered: number;
  expected: number;
  /** Latency percentiles over every expected delivery; null = not delivered within `cutoffMs` of the last publish. */
  p50: number | null;
  p99: number | null;
  max: number | null;
  cutoffMs: number;
  /** Median latency of the events published in the first and in the last quarter of the window. */
  earlyP50: number | null;
  lateP50: number | null;
  /** How late the last publish went out against its schedule (the server not keeping up with appends). */
  publishLagMs: number;
  /** Events published, of those the schedule called for. */
  sent: number;
  scheduled: number;
  publishErrors: number;
  firstPublishError?: string;
  /** Percent of one core over the publishing window. */
  serverCpu: number;
  clientCpu: number;
  /**
   * Why the server did not keep up, empty when it did: deliveries missing at the cutoff, a publisher
   * that could not hold the pace, latency that kept growing (last quarter's median > 3× the first's
   * and > 100 ms), or p99 over 1 s.
   */
  behind: string[];
}

export interface IdleResult {
  open: OpenStats;
  rssBeforeKb: number;
  rssAfterKb: number;
  bytesPerSubscriber: number;
}

export type ClientResult = BurstResult | PacedResult | IdleResult;

/** coordinator → client */
export interface ClientRequest {
  id: number;
  command: ClientCommand;
}

/** client → coordinator */
export type ClientReply = { id: number; result: ClientResult } | { id: number; error: string };
