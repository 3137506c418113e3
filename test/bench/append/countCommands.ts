import { COMMAND_LOG_LIMIT } from '../../support/mongoWire/commandLog.ts';
import type { MongoWireServer } from '../../support/mongoWire/createMongoWireServer.ts';

/** Often enough that the log (the last 10 000 commands) cannot fill between two reads at bench rates. */
const POLL_MS = 50;

/** Commands counted by name, and whether the log ever filled between reads (counts then too low). */
export interface CommandCounts {
  byName: Map<string, number>;
  overflowed: boolean;
}

/**
 * Counts, by command name, what the in-process wire server receives for database `dbName` from now
 * until `stop()`: it drains the server's command log every 50 ms (clearing it, so nothing is
 * counted twice and the bounded log never drops an entry unseen).
 */
export function countCommands(wire: MongoWireServer, dbName: string): { stop(): CommandCounts } {
  const counts: CommandCounts = { byName: new Map(), overflowed: false };
  const drain = () => {
    const log = wire.commandLog();
    wire.clearCommandLog();
    if (log.length >= COMMAND_LOG_LIMIT) counts.overflowed = true;
    for (const c of log)
      if (c.db === dbName) counts.byName.set(c.commandName, (counts.byName.get(c.commandName) ?? 0) + 1);
  };
  wire.clearCommandLog();
  const timer = setInterval(drain, POLL_MS);
  return {
    stop() {
      clearInterval(timer);
      drain();
      return counts;
    },
  };
}
