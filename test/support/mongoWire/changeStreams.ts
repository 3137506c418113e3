import { calculateObjectSize } from 'bson';
import { runPipeline } from './aggregatePipeline.ts';
import { type Doc, isPlainObject } from './bsonValues.ts';
import { toChangeEvent } from './changeEvent.ts';
import {
  type ChangeEntry,
  type ChangeLog,
  decodeResumeToken,
  EXPANDED_OPERATIONS,
  encodeResumeToken,
  fromTimestamp,
  historyLost,
  toTimestamp,
} from './changeLog.ts';
import type { Catalog } from './collections.ts';
import { CommandError } from './commandError.ts';
import { assertValidFilter, matchesFilter } from './queryMatcher.ts';

/** Largest batch payload, as mongod caps a reply batch at 16 MiB. */
export const MAX_BATCH_BYTES = 16 * 1024 * 1024;

/** An open change stream: what it watches, how events look, and how far it has read the history. */
export interface ChangeStreamState {
  db: string;
  /** Watched collection; null for a database- or cluster-level stream. */
  coll: string | null;
  allDatabases: boolean;
  fullDocument: string;
  fullDocumentBeforeChange: string;
  showExpandedEvents: boolean;
  stages: Doc[];
  /** Cluster time up to which the history has been read (events after it are still to come). */
  position: bigint;
  invalidated: boolean;
}

const STAGE_OPTIONS = new Set([
  'fullDocument',
  'fullDocumentBeforeChange',
  'resumeAfter',
  'startAfter',
  'startAtOperationTime',
  'allChangesForCluster',
  'showExpandedEvents',
]);
const INTERNAL_DBS = new Set(['admin', 'config', 'local']);
/** Stages allowed after $changeStream (those of them this server runs), and other stages mongod knows. */
const EVENT_STAGES = new Set([
  '$match',
  '$project',
  '$addFields',
  '$set',
  '$unset',
  '$replaceRoot',
  '$replaceWith',
]);
const KNOWN_STAGES = new Set([
  ...EVENT_STAGES,
  '$group',
  '$sort',
  '$limit',
  '$skip',
  '$unwind',
  '$count',
  '$lookup',
  '$out',
  '$merge',
  '$facet',
  '$redact',
]);

function startPosition(stage: Doc, log: ChangeLog): bigint {
  const given = ['resumeAfter', 'startAfter', 'startAtOperationTime'].filter((k) => stage[k] !== undefined);
  if (given.length > 1)
    throw new CommandError(40674, 'Only one type of resume option is allowed, but multiple were found.');
  if (stage.resumeAfter !== undefined) {
    const { time, kind } = decodeResumeToken(stage.resumeAfter);
    if (kind === 'invalidate') {
      throw new CommandError(
        260,
        "Attempting to resume a change stream using 'resumeAfter' is not allowed from an invalidate notification.",
      );
    }
    log.assertRetainedFrom(time);
    return time;
  }
  if (stage.startAfter !== undefined) {
    const { time } = decodeResumeToken(stage.startAfter);
    log.assertRetainedFrom(time);
    return time;
  }
  if (stage.startAtOperationTime !== undefined) {
    const time = fromTimestamp(stage.startAtOperationTime);
    log.assertRetainedFrom(time);
    return time - 1n; // startAtOperationTime is inclusive
  }
  // While replication is paused, from the commit point: uncommitted writes show once replicated.
  if (log.replicationPaused) return log.majorityPoint();
  // A fresh cluster time no event carries: the aggregate's operationTime then equals the start point
  // and a driver resuming with startAtOperationTime (inclusive) neither skips nor repeats an event.
  return log.clock.tick();
}

/** Parses `[{$changeStream: {...}}, ...rest]` and positions a new stream in the history. */
export function openChangeStream(
  db: string,
  coll: string | null,
  pipeline: Doc[],
  log: ChangeLog,
): ChangeStreamState {
  const stage = pipeline[0]?.$changeStream;
  if (!isPlainObject(stage)) throw new CommandError(14, '$changeStream stage expects a document as argument');
  for (const key of Object.keys(stage)) {
    if (!STAGE_OPTIONS.has(key))
      throw new CommandError(40415, `BSON field '$changeStream.${key}' is an unknown field.`);
  }
  const allDatabases = stage.allChangesForCluster === true;
  if (allDatabases && (db !== 'admin' || coll !== null)) {
    throw new CommandError(
      40572,
      "A $changeStream with 'allChangesForCluster:true' may only be opened on the 'admin' database",
    );
  }
  const stages = pipeline.slice(1);
  for (const s of stages) {
    const name = Object.keys(s)[0] ?? '';
    if (name === '$changeStream')
      throw new CommandError(40602, '$changeStream is only valid as the first stage in a pipeline');
    if (!KNOWN_STAGES.has(name)) throw new CommandError(40324, `Unrecognized pipeline stage name: '${name}'`);
    if (!EVENT_STAGES.has(name))
      throw new CommandError(20, `Stage not supported inside of a $changeStream pipeline: ${name}`);
    if (name === '$match') assertValidFilter(s.$match as Doc);
  }
  return {
    db,
    coll,
    allDatabases,
    fullDocument: String(stage.fullDocument ?? 'default'),
    fullDocumentBeforeChange: String(stage.fullDocumentBeforeChange ?? 'off'),
    showExpandedEvents: stage.showExpandedEvents === true,
    stages,
    position: startPosition(stage, log),
    invalidated: false,
  };
}

function relevant(s: ChangeStreamState, e: ChangeEntry): boolean {
  if (EXPANDED_OPERATIONS.has(e.operationType) && !s.showExpandedEvents) return false;
  if (s.allDatabases) return !INTERNAL_DBS.has(e.db);
  if (e.db !== s.db) return false;
  return s.coll === null || e.coll === s.coll;
}

function invalidates(s: ChangeStreamState, e: ChangeEntry): boolean {
  if (s.allDatabases) return false;
  if (s.coll === null) return e.operationType === 'dropDatabase';
  return e.operationType === 'drop' || e.operationType === 'rename';
}

function applyStages(s: ChangeStreamState, ev: Doc): Doc | null {
  let out = ev;
  for (const stage of s.stages) {
    if (stage.$match !== undefined) {
      if (!matchesFilter(out, stage.$match as Doc)) return null;
    } else {
      out = runPipeline([out], [stage])[0]!;
    }
  }
  if (!isPlainObject(out._id)) {
    throw new CommandError(
      280,
      'Encountered an event whose _id field, which contains the resume token, was modified by the pipeline.',
    );
  }
  return out;
}

/**
 * Reads the next events (at most `limit`) after the stream's position and advances it.
 * Once the history is exhausted the position moves to the current cluster time, so the next
 * postBatchResumeToken covers changes that were scanned but filtered out.
 */
export function readChanges(s: ChangeStreamState, log: ChangeLog, catalog: Catalog, limit: number): Doc[] {
  if (log.lostAfter(s.position)) throw historyLost();
  const out: Doc[] = [];
  let bytes = 0;
  for (const entry of log.committedAfter(s.position)) {
    if (out.length >= limit || bytes >= MAX_BATCH_BYTES) return out;
    s.position = entry.time;
    if (!relevant(s, entry)) continue;
    const ev = applyStages(s, toChangeEvent(s, entry, catalog));
    if (ev) {
      out.push(ev);
      bytes += calculateObjectSize(ev);
    }
    if (invalidates(s, entry)) {
      s.invalidated = true;
      const inv = applyStages(s, {
        _id: encodeResumeToken(entry.time, 'invalidate'),
        operationType: 'invalidate',
        clusterTime: toTimestamp(entry.time),
        wallTime: entry.wallTime,
      });
      if (inv) out.push(inv);
      return out;
    }
  }
  if (log.majorityPoint() > s.position) s.position = log.majorityPoint();
  return out;
}

/** The postBatchResumeToken for the stream's current position. */
export function positionToken(s: ChangeStreamState): { _data: string } {
  return encodeResumeToken(s.position, 'hwm');
}
