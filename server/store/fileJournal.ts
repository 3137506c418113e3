import { mkdir, open, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Journal, JournalRecord } from './journal.ts';

/** The journal file inside the data directory. */
export const JOURNAL_FILE = 'journal.ndjson';

/**
 * Opens (creating if needed) the append-only NDJSON journal in `dir` and reads it back. One line is
 * one record, so a batch is all-or-nothing across a crash. A torn last line (crash mid-write) is moved
 * aside to `journal.ndjson.torn-<time>` and cut off with a warning; unreadable lines elsewhere are
 * skipped with a warning. Neither stops the server from starting.
 */
export async function openFileJournal(
  dir: string,
  warn: (message: string) => void,
): Promise<{ journal: Journal; records: JournalRecord[] }> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, JOURNAL_FILE);
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  const records: JournalRecord[] = [];
  const lastNewline = text.lastIndexOf('\n');
  const tail = text.slice(lastNewline + 1);
  if (tail.length > 0) {
    const aside = `${path}.torn-${Date.now()}`;
    await writeFile(aside, tail);
    await truncate(path, Buffer.byteLength(text.slice(0, lastNewline + 1)));
    warn(`journal: torn last line (${tail.length} chars) cut off and kept in ${aside}`);
  }
  const lines = text.slice(0, lastNewline + 1).split('\n');
  lines.forEach((line, i) => {
    if (line.length === 0) return;
    try {
      const record = JSON.parse(line) as JournalRecord;
      if (record?.op !== 'session' && record?.op !== 'events') throw new Error('unknown op');
      records.push(record);
    } catch {
      warn(`journal: line ${i + 1} unreadable, skipped`);
    }
  });

  const handle = await open(path, 'a');
  // After a failed write a partial line may sit at the end: start the next write on a fresh line.
  let needsNewline = false;
  return {
    records,
    journal: {
      async write(batch) {
        const body = `${needsNewline ? '\n' : ''}${batch.map((r) => JSON.stringify(r)).join('\n')}\n`;
        try {
          await handle.write(body);
          await handle.datasync();
          needsNewline = false;
        } catch (err) {
          needsNewline = true;
          throw err;
        }
      },
      async close() {
        await handle.close();
      },
    },
  };
}
