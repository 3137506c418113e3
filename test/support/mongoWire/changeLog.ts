import { type Binary, Timestamp } from 'bson';
import type { Doc } from './bsonValues.ts';
import { CommandError } from './commandError.ts';

/** Kinds of change recorded in the history (what a change stream can report). */
export type ChangeOperation =
  | 'insert'
  | 'update'
  | 'replace'
  | 'delete'
  | 'drop'
  | 'dropDatabase'
  | 'rename'
  | 'create'
  | 'createIndexes'
  | 'dropIndexes'
  | 'modify';

/** Operations reported only to streams opened with `showExpandedEvents`. */
export const EXPANDED_OPERATIONS: ReadonlySet<ChangeOperation> = new Set([
  'create',
  'createIndexes',
  'dropIndexes',
  'modify',
]);

/** One committed change, like an oplog entry. `time` is its cluster time as (seconds << 32 | increment). */
export interface ChangeEntry {
  time: bigint;
  wallTime: Date;
  operationType: ChangeOperation;
  db: string;
  coll?: string;
  /** The collection's UUID (reported as `collectionUUID` with showExpandedEvents). */
  collectionUUID?: Binary;
  documentKey?: Doc;
  /** The document after the change (insert, update, replace). */
  postImage?: Doc;
  /** The document before the change (update, replace, delete); needed for majority reads and rollback. */
  preImage?: Doc;
  /** Whether the collection had changeStreamPreAndPostImages enabled, so streams may report the images. */
  imagesRecorded?: boolean;
  updateDescription?: Doc;
  /** `disambiguatedPaths` of the update, reported with showExpandedEvents. */
  disambiguatedPaths?: Doc;
  /** Rename target. */
  to?: { db: string; coll: string };
  /** Details of DDL events (`operationDescription`), reported with showExpandedEvents. */
  operationDescription?: Doc;
  /** Set for writes inside a multi-document transaction, which change events report. */
  txn?: { lsid: Doc; txnNumber: unknown };
}

/** A bson Timestamp from a packed cluster time. */
export function toTimestamp(time: bigint): Timestamp {
  return new Timestamp(time);
}

/** A packed cluster time from a bson Timestamp. */
export function fromTimestamp(ts: unknown): bigint {
  const t = ts as { t?: unknown; i?: unknown; _bsontype?: string };
  if (t?._bsontype !== 'Timestamp' || typeof t.t !== 'number' || typeof t.i !== 'number') {
    throw new CommandError(14, 'startAtOperationTime must be a Timestamp');
  }
  return (BigInt(t.t) << 32n) | BigInt(t.i);
}

/** Cluster time source: strictly increasing Timestamps whose seconds follow the wall clock. */
export class ClusterClock {
  private last = 0n;

  /** The latest cluster time handed out. */
  now(): bigint {
    return this.last;
  }

  /** A fresh cluster time, greater than every earlier one. */
  tick(): bigint {
    const seconds = BigInt(Math.floor(Date.now() / 1000));
    this.last = seconds > this.last >> 32n ? (seconds << 32n) | 1n : this.last + 1n;
    return this.last;
  }
}

/** What a resume token points at: a change event, a position between events (PBRT), or an invalidate. */
export type TokenKind = 'hwm' | 'event' | 'invalidate';

const KIND_CODES: Record<TokenKind, string> = { hwm: '00', event: '01', invalidate: '02' };

/**
 * A resume token `{_data}`: uppercase hex of a version byte, the 64-bit cluster time and a kind byte.
 * Fixed width, so tokens sort like the history positions they encode (as real KeyString tokens do).
 */
export function encodeResumeToken(time: bigint, kind: TokenKind): { _data: string } {
  return { _data: `82${time.toString(16).toUpperCase().padStart(16, '0')}${KIND_CODES[kind]}` };
}

/** Decodes a token produced by encodeResumeToken; anything else is rejected like a malformed token. */
export function decodeResumeToken(token: unknown): { time: bigint; kind: TokenKind } {
  const data = (token as { _data?: unknown } | null)?._data;
  const m = typeof data === 'string' ? /^82([0-9A-F]{16})(0[0-2])$/.exec(data) : null;
  if (!m)
    throw new CommandError(9, `mongo wire test server: malformed resume token ${JSON.stringify(token)}`);
  const kind = (Object.keys(KIND_CODES) as TokenKind[]).find((k) => KIND_CODES[k] === m[2])!;
  return { time: BigInt(`0x${m[1]}`), kind };
}

/** The message MongoDB sends when a resume point has fallen out of the oplog. */
export function historyLost(): CommandError {
  return new CommandError(
    286,
    'Resume of change stream was not possible, as the resume point may no longer be in the oplog.',
  );
}

/**
 * Ordered change history (an oplog stand-in) with cluster times, truncation, append notifications and
 * a majority commit point: entries past it are applied but not yet replicated. Replication is
 * instantaneous unless paused.
 */
export class ChangeLog {
  readonly clock = new ClusterClock();
  private entries: ChangeEntry[] = [];
  private oldestRetained = 0n;
  private lastDropped = 0n;
  private paused = false;
  private committed = 0n;
  private readonly listeners = new Set<() => void>();

  /** Records a change at a fresh cluster time and wakes waiting change streams. */
  append(change: Omit<ChangeEntry, 'time' | 'wallTime'>): ChangeEntry {
    const entry: ChangeEntry = { ...change, time: this.clock.tick(), wallTime: new Date() };
    this.entries.push(entry);
    this.notify();
    return entry;
  }

  /** The majority commit point: every entry at or before it is replicated. */
  majorityPoint(): bigint {
    return this.paused ? this.committed : this.clock.now();
  }

  get replicationPaused(): boolean {
    return this.paused;
  }

  /** Stops replication: later entries stay past the majority commit point. */
  pauseReplication(): void {
    if (this.paused) return;
    this.paused = true;
    this.committed = this.clock.now();
  }

  /** Replicates everything: the commit point catches up and waiters are woken. */
  resumeReplication(): void {
    if (!this.paused) return;
    this.paused = false;
    this.notify();
  }

  /** Removes the entries past the commit point and returns them, newest first (to be undone). */
  rollBack(): ChangeEntry[] {
    const point = this.majorityPoint();
    const kept = this.entries.filter((e) => e.time <= point);
    const undone = this.entries.filter((e) => e.time > point).reverse();
    this.entries = kept;
    return undone;
  }

  /** Committed entries with a cluster time after `position`, oldest first. */
  committedAfter(position: bigint): ChangeEntry[] {
    return this.after(position, this.majorityPoint());
  }

  /** Entries past the commit point (applied, not yet replicated), newest first. */
  uncommitted(): ChangeEntry[] {
    return this.after(this.majorityPoint(), this.clock.now()).reverse();
  }

  private after(position: bigint, limit: bigint): ChangeEntry[] {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid]!.time <= position) lo = mid + 1;
      else hi = mid;
    }
    const out: ChangeEntry[] = [];
    for (let i = lo; i < this.entries.length && this.entries[i]!.time <= limit; i++)
      out.push(this.entries[i]!);
    return out;
  }

  /** Throws 286 unless history from `point` (a resume point) on is still retained. */
  assertRetainedFrom(point: bigint): void {
    if (point < this.oldestRetained) throw historyLost();
  }

  /** True when entries after `position` were dropped by truncate() before being read. */
  lostAfter(position: bigint): boolean {
    return position < this.lastDropped;
  }

  /** Drops all stored history: older resume points now fail with ChangeStreamHistoryLost. */
  truncate(): void {
    const last = this.entries.at(-1);
    if (last) this.lastDropped = last.time;
    this.entries = [];
    this.oldestRetained = this.clock.tick();
    if (this.paused) this.committed = this.oldestRetained;
  }

  /** Calls `listener` after every append or commit-point move until the returned function is called. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
