import { runPipeline } from '../aggregatePipeline.ts';
import { canonicalKey, cloneValue, type Doc, getPath, isPlainObject, toNumber } from '../bsonValues.ts';
import { openChangeStream, positionToken, readChanges } from '../changeStreams.ts';
import { CommandError } from '../commandError.ts';
import { batchLimit, cursorReply, takeBatch } from '../cursors.ts';
import { majorityDocuments } from '../majorityView.ts';
import { projectDocument } from '../projectDocument.ts';
import { assertValidFilter, matchesFilter } from '../queryMatcher.ts';
import { type CommandContext, collectionName } from '../serverState.ts';
import { sortDocuments } from '../sortDocuments.ts';
import { writeAggregateOutput, writesOutput } from './aggregateOutput.ts';

const DEFAULT_FIRST_BATCH = 101;

/** The collection's documents as the command's read concern sees them (majority: the commit point's). */
function storedDocs(ctx: CommandContext, coll: string): Doc[] {
  const collection = ctx.state.catalog.get(ctx.db, coll);
  if (!collection) return [];
  const level = (ctx.command.readConcern as Doc | undefined)?.level;
  return level === 'majority' ? majorityDocuments(ctx.state.changeLog, collection) : collection.all();
}

/** Answers with a first batch, registering a cursor for the rest unless `singleBatch`. */
function firstBatchReply(
  ctx: CommandContext,
  ns: string,
  results: Doc[],
  batchSize: number,
  singleBatch: boolean,
): Doc {
  const batch = takeBatch(results, batchSize);
  if (results.length === 0 || singleBatch) return cursorReply(0, ns, 'firstBatch', batch);
  const cursor = ctx.state.cursors.open({ kind: 'find', ns, docs: results });
  return cursorReply(cursor.id, ns, 'firstBatch', batch);
}

/** `find`: filter, sort, projection, skip, limit (negative = single batch), batchSize, singleBatch. */
export function findCommand(ctx: CommandContext): Doc {
  const { command } = ctx;
  const coll = collectionName(ctx);
  if (command.tailable === true)
    throw new CommandError(2, 'mongo wire test server: tailable cursors are not supported');
  const filter = (command.filter ?? {}) as Doc;
  if (!isPlainObject(filter))
    throw new CommandError(14, "BSON field 'FindCommandRequest.filter' is the wrong type");
  assertValidFilter(filter);
  let results = sortDocuments(
    storedDocs(ctx, coll).filter((d) => matchesFilter(d, filter)),
    command.sort as Doc,
  );
  const skip = toNumber(command.skip ?? 0);
  const rawLimit = toNumber(command.limit ?? 0);
  if (skip < 0) throw new CommandError(51024, "BSON field 'skip' value must be >= 0");
  results = results.slice(skip, rawLimit === 0 ? undefined : skip + Math.abs(rawLimit));
  const docs = results.map((d) => projectDocument(cloneValue(d), command.projection as Doc));
  const batchSize = batchLimit(command.batchSize, DEFAULT_FIRST_BATCH);
  return firstBatchReply(
    ctx,
    `${ctx.db}.${coll}`,
    docs,
    batchSize,
    command.singleBatch === true || rawLimit < 0,
  );
}

/** `count`: the number of matching documents after skip/limit. */
export function countCommand(ctx: CommandContext): Doc {
  const { command } = ctx;
  let docs = runPipeline(storedDocs(ctx, collectionName(ctx)), [{ $match: (command.query ?? {}) as Doc }]);
  const skip = toNumber(command.skip ?? 0);
  const limit = Math.abs(toNumber(command.limit ?? 0));
  docs = docs.slice(skip, limit === 0 ? undefined : skip + limit);
  return { n: docs.length, ok: 1 };
}

/** `distinct`: the distinct values of `key` (array values contribute their elements). */
export function distinctCommand(ctx: CommandContext): Doc {
  const { command } = ctx;
  const docs = runPipeline(storedDocs(ctx, collectionName(ctx)), [{ $match: (command.query ?? {}) as Doc }]);
  const values = new Map<string, unknown>();
  for (const doc of docs) {
    const v = getPath(doc, String(command.key));
    for (const x of Array.isArray(v) ? v : [v])
      if (x !== undefined) values.set(canonicalKey(x), cloneValue(x));
  }
  return { values: [...values.values()], ok: 1 };
}

/** `aggregate`: a `$changeStream` pipeline opens a change stream; anything else runs over a snapshot. */
export function aggregateCommand(ctx: CommandContext): Doc {
  const { command, state } = ctx;
  const pipeline = command.pipeline;
  if (!Array.isArray(pipeline) || pipeline.some((s) => !isPlainObject(s))) {
    throw new CommandError(14, "'pipeline' option must be specified as an array");
  }
  if (command.explain === true) throw new CommandError(2, 'mongo wire test server: explain is not supported');
  const cursorOpts = command.cursor;
  if (!isPlainObject(cursorOpts))
    throw new CommandError(
      9,
      "The 'cursor' option is required, except for aggregate with the explain argument",
    );
  const dbLevel = command.aggregate === 1;
  if (!dbLevel && typeof command.aggregate !== 'string')
    throw new CommandError(73, 'Invalid aggregate namespace');
  const coll = dbLevel ? null : String(command.aggregate);
  const ns = dbLevel ? `${ctx.db}.$cmd.aggregate` : `${ctx.db}.${coll}`;
  const batchSize = batchLimit(cursorOpts.batchSize, DEFAULT_FIRST_BATCH);
  if (isPlainObject(pipeline[0]) && '$changeStream' in pipeline[0]) {
    if (state.standalone) {
      throw new CommandError(40573, 'The $changeStream stage is only supported on replica sets');
    }
    const stream = openChangeStream(ctx.db, coll, pipeline as Doc[], state.changeLog);
    // The first batch returns what is already there, without waiting (as mongod does).
    const batch = readChanges(stream, state.changeLog, state.catalog, batchSize);
    if (stream.invalidated) return cursorReply(0, ns, 'firstBatch', batch, positionToken(stream));
    const cursor = state.cursors.open({ kind: 'changeStream', ns, stream });
    return cursorReply(cursor.id, ns, 'firstBatch', batch, positionToken(stream));
  }
  if (dbLevel)
    throw new CommandError(2, 'mongo wire test server: database-level aggregate needs $changeStream');
  const stages = pipeline as Doc[];
  if (writesOutput(stages)) {
    writeAggregateOutput(
      ctx,
      stages.at(-1)!,
      runPipeline(storedDocs(ctx, coll!), stages.slice(0, -1)).map(cloneValue),
    );
    return cursorReply(0, ns, 'firstBatch', []);
  }
  const results = runPipeline(storedDocs(ctx, coll!), stages).map(cloneValue);
  return firstBatchReply(ctx, ns, results, batchSize, false);
}
