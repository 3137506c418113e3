import { cloneValue, type Doc } from './bsonValues.ts';

/** What the server noted about one received command: its name, database and the concerns it carried. */
export interface RecordedCommand {
  commandName: string;
  db: string;
  readConcern?: Doc;
  writeConcern?: Doc;
  maxTimeMS?: number;
  lsid?: Doc;
  txnNumber?: number;
  /** Connection that sent it, as hello's connectionId. */
  connectionId: number;
}

/** How many commands the log keeps; older ones are dropped first. */
export const COMMAND_LOG_LIMIT = 10_000;

/** A bounded, oldest-first record of received commands. */
export class CommandLog {
  private entries: RecordedCommand[] = [];

  /** Records a command as received (before fail points and execution). */
  record(db: string, command: Doc, connectionId: number): void {
    const entry: RecordedCommand = { commandName: Object.keys(command)[0] ?? '', db, connectionId };
    if (command.readConcern !== undefined) entry.readConcern = cloneValue(command.readConcern as Doc);
    if (command.writeConcern !== undefined) entry.writeConcern = cloneValue(command.writeConcern as Doc);
    if (command.maxTimeMS !== undefined) entry.maxTimeMS = Number(command.maxTimeMS);
    if (command.lsid !== undefined) entry.lsid = cloneValue(command.lsid as Doc);
    if (command.txnNumber !== undefined) entry.txnNumber = Number(command.txnNumber);
    this.entries.push(entry);
    if (this.entries.length > COMMAND_LOG_LIMIT)
      this.entries.splice(0, this.entries.length - COMMAND_LOG_LIMIT);
  }

  /** A copy of the recorded commands, oldest first. */
  list(): RecordedCommand[] {
    return this.entries.map((e) => ({ ...e }));
  }

  clear(): void {
    this.entries = [];
  }
}
