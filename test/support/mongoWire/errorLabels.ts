import type { Doc } from './bsonValues.ts';
import {
  NON_RESUMABLE_CHANGE_STREAM_CODES,
  RESUMABLE_CHANGE_STREAM_CODES,
  RETRYABLE_WRITE_CODES,
} from './commandError.ts';
import { RETRYABLE_WRITE_COMMANDS } from './retryableWrites.ts';
import type { CommandContext } from './serverState.ts';

function isRetryableWrite(ctx: CommandContext, name: string): boolean {
  const { command } = ctx;
  return (
    RETRYABLE_WRITE_COMMANDS.has(name) && command.txnNumber !== undefined && command.autocommit === undefined
  );
}

/**
 * The labels mongod's ErrorLabelBuilder adds to a failed command (fail-point errors included, unless
 * the fail point dictates `errorLabels`): RetryableWriteError for retryable writes failing with a
 * retryable code; ResumableChangeStreamError for a change stream's aggregate, or its getMore once the
 * cursor was checked out; NonResumableChangeStreamError for fatal change stream codes.
 */
export function errorLabelsFor(ctx: CommandContext, name: string, code: number): string[] {
  const labels: string[] = [];
  if (isRetryableWrite(ctx, name) && RETRYABLE_WRITE_CODES.has(code)) labels.push('RetryableWriteError');
  if (ctx.changeStream && RESUMABLE_CHANGE_STREAM_CODES.has(code)) labels.push('ResumableChangeStreamError');
  if (NON_RESUMABLE_CHANGE_STREAM_CODES.has(code)) labels.push('NonResumableChangeStreamError');
  return labels;
}

/** Labels of a reply that succeeded but carries a writeConcernError (RetryableWriteError when retryable). */
export function writeConcernErrorLabels(ctx: CommandContext, name: string, wce: Doc): string[] {
  return isRetryableWrite(ctx, name) && RETRYABLE_WRITE_CODES.has(Number(wce.code))
    ? ['RetryableWriteError']
    : [];
}

/** Attaches labels to a reply (none: the reply is left as it is). */
export function withLabels(reply: Doc, labels: string[]): Doc {
  return labels.length > 0 ? { ...reply, errorLabels: labels } : reply;
}
