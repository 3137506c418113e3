import type { Doc } from './bsonValues.ts';
import { canonicalKey, cloneValue, toNumber } from './bsonValues.ts';
import { CommandError } from './commandError.ts';

/** Commands that are retryable writes when they carry `lsid` + `txnNumber` outside a transaction. */
export const RETRYABLE_WRITE_COMMANDS: ReadonlySet<string> = new Set([
  'insert',
  'update',
  'delete',
  'findAndModify',
  'findandmodify',
]);

/** One retryable write in flight: either already executed (`stored`) or to be recorded after it runs. */
export interface RetryableWrite {
  stored: Doc | undefined;
  /** Records the reply of the executed write, at the cluster time its changes reached. */
  record(reply: Doc, time: bigint): void;
}

/**
 * Results of executed retryable writes by (lsid.id, txnNumber), like mongod's config.transactions:
 * a resent write returns the first reply instead of being applied twice.
 */
export class RetryableWriteLog {
  private readonly results = new Map<string, { reply: Doc; time: bigint }>();
  private readonly highest = new Map<string, number>();

  /** Classifies a command; null when it is not a retryable write. */
  begin(commandName: string, command: Doc): RetryableWrite | null {
    if (!RETRYABLE_WRITE_COMMANDS.has(commandName)) return null;
    if (command.txnNumber === undefined || command.lsid === undefined || command.autocommit !== undefined)
      return null;
    const session = canonicalKey((command.lsid as Doc).id);
    const txnNumber = toNumber(command.txnNumber);
    const key = `${session}#${txnNumber}`;
    const stored = this.results.get(key)?.reply;
    const highest = this.highest.get(session) ?? -1;
    if (!stored && txnNumber < highest) {
      throw new CommandError(
        225,
        `Retryable write with txnNumber ${txnNumber} is prohibited on session because a newer retryable write with txnNumber ${highest} has already started on this session.`,
      );
    }
    this.highest.set(session, Math.max(highest, txnNumber));
    return {
      stored: stored && cloneValue(stored),
      record: (reply, time) => {
        this.results.set(key, { reply: cloneValue(reply), time });
      },
    };
  }

  /** Forgets the writes recorded after `point` (rolled back), so that retrying them executes them again. */
  rollBack(point: bigint): void {
    for (const [key, { time }] of this.results) if (time > point) this.results.delete(key);
  }
}
