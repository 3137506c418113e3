import { createReadStream } from 'node:fs';
import { mkdir, open, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Journal, JournalRecord } from './journal.ts';

/** The journal file inside the data directory. */
export const JOURNAL_FILE = 'journal.ndjson';

/** What the journal writer needs of a file handle (a `FileHandle` opened for appending). */
export interface AppendHandle {
  write(buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Writes journal records durably: every byte (short writes are continued), then fdatasync. A write
 * that fails cuts the file back to its last durable size, so a batch the store reported as failed
 * can never come back on replay; if even that fails, the journal refuses all further writes.
 */
export function createJournalWriter(handle: AppendHandle, durableSize: number): Journal {
  let size = durableSize;
  let broken: Error | undefined;
  return {
    async write(records) {
      if (broken) throw broken;
      const buffer = Buffer.from(`${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
      try {
        for (let offset = 0; offset < buffer.length; ) {
          offset += (await handle.write(buffer, offset, buffer.length - offset)).bytesWritten;
        }
        await handle.datasync();
        size += buffer.length;
      } catch (err) {
        try {
          await handle.truncate(size);
          await handle.datasync();
        } catch (repair) {
          broken = new Error(
            `journal could not be cut back after a failed write (${(repair as Error).message})`,
          );
        }
        throw err;
      }
    },
    close: () => handle.close(),
  };
}

/**
 * Reads the journal line by line (it may be far larger than one string can hold), handing each
 * readable record to `onRecord`; unreadable lines are skipped with a warning. Answers how many bytes
 * were whole lines and the torn rest (a crash mid-write), if any.
 */
export async function readJournal(
  path: string,
  warn: (message: string) => void,
  onRecord: (record: JournalRecord, bytesRead: number) => void,
): Promise<{ goodBytes: number; torn: Buffer }> {
  let goodBytes = 0;
  let rest = Buffer.alloc(0);
  let lineNo = 0;
  const stream = createReadStream(path, { highWaterMark: 1024 * 1024 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const buf = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
      let start = 0;
      for (let nl = buf.indexOf(0x0a, start); nl !== -1; nl = buf.indexOf(0x0a, start)) {
        lineNo++;
        const line = buf.toString('utf8', start, nl);
        start = nl + 1;
        if (line.length === 0) continue;
        try {
          const record = JSON.parse(line) as JournalRecord;
          if (record?.op !== 'session' && record?.op !== 'events' && record?.op !== 'delete') {
            throw new Error('unknown op');
          }
          onRecord(record, goodBytes + start);
        } catch {
          warn(`journal: line ${lineNo} unreadable, skipped`);
        }
      }
      goodBytes += start;
      rest = Buffer.from(buf.subarray(start));
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return { goodBytes, torn: rest };
}

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
  const records: JournalRecord[] = [];
  const { goodBytes, torn } = await readJournal(path, warn, (r) => records.push(r));
  if (torn.length > 0) {
    const aside = `${path}.torn-${Date.now()}`;
    await writeFile(aside, torn);
    await truncate(path, goodBytes);
    warn(`journal: torn last line (${torn.length} bytes) cut off and kept in ${aside}`);
  }
  const handle = await open(path, 'a');
  const size = (await stat(path)).size;
  return { records, journal: createJournalWriter(handle, size) };
}
