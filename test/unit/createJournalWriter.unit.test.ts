import { describe, expect, it } from 'vitest';
import { type AppendHandle, createJournalWriter } from '../../server/store/fileJournal.ts';
import type { JournalRecord } from '../../server/store/journal.ts';

/** An in-memory "file" whose writes can be made short or failing. */
function fakeFile(opts: { maxWrite?: number } = {}) {
  const file = { bytes: Buffer.alloc(0), failSync: 0, failTruncate: false, truncatedTo: [] as number[] };
  const handle: AppendHandle = {
    async write(buffer, offset, length) {
      const n = Math.min(length, opts.maxWrite ?? length);
      file.bytes = Buffer.concat([file.bytes, buffer.subarray(offset, offset + n)]);
      return { bytesWritten: n };
    },
    async datasync() {
      if (file.failSync > 0) {
        file.failSync--;
        throw new Error('EIO');
      }
    },
    async truncate(length) {
      if (file.failTruncate) throw new Error('EROFS');
      file.truncatedTo.push(length);
      file.bytes = file.bytes.subarray(0, length);
    },
    async close() {},
  };
  return { file, handle };
}

const record = (n: number): JournalRecord => ({
  op: 'session',
  session: { id: `s${n}`, title: 't', agent: 'a', createdAt: 'x' },
});
const lines = (bytes: Buffer) =>
  bytes
    .toString()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l).session.id);

describe('createJournalWriter', () => {
  it('writes every byte even when the file takes a few at a time', async () => {
    const { file, handle } = fakeFile({ maxWrite: 7 });
    const journal = createJournalWriter(handle, 0);
    await journal.write([record(1), record(2)]);
    expect(lines(file.bytes)).toEqual(['s1', 's2']);
  });

  it('cuts a failed write back off, so a rejected batch can never replay', async () => {
    const { file, handle } = fakeFile();
    const journal = createJournalWriter(handle, 0);
    await journal.write([record(1)]);
    const durable = file.bytes.length;
    file.failSync = 1;
    await expect(journal.write([record(2)])).rejects.toThrow('EIO');
    expect(file.truncatedTo).toEqual([durable]);
    await journal.write([record(3)]);
    expect(lines(file.bytes)).toEqual(['s1', 's3']);
  });

  it('refuses further writes when a failed write cannot be cut back', async () => {
    const { file, handle } = fakeFile();
    const journal = createJournalWriter(handle, 0);
    file.failSync = 1;
    file.failTruncate = true;
    await expect(journal.write([record(1)])).rejects.toThrow('EIO');
    await expect(journal.write([record(2)])).rejects.toThrow(/could not be cut back/);
  });
});
