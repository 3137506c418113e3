import { describe, expect, it } from 'vitest';
import { type AppendHandle, createJournalWriter } from '../../server/store/fileJournal.ts';
import type { JournalRecord } from '../../server/store/journal.ts';

/** An in-memory "file" whose writes can be made short or failing; it checks ranges as Node's does. */
function fakeFile(opts: { maxWrite?: number } = {}) {
  const file = {
    bytes: Buffer.alloc(0),
    failSync: 0,
    failWrite: false,
    failTruncate: false,
    truncatedTo: [] as number[],
    calls: [] as string[],
  };
  const handle: AppendHandle = {
    async write(buffer, offset, length) {
      file.calls.push('write');
      if (file.failWrite) throw new Error('ENOSPC');
      if (offset + length > buffer.length) throw new RangeError('ERR_OUT_OF_RANGE: length');
      const n = Math.min(length, opts.maxWrite ?? length);
      file.bytes = Buffer.concat([file.bytes, buffer.subarray(offset, offset + n)]);
      return { bytesWritten: n };
    },
    async datasync() {
      file.calls.push('datasync');
      if (file.failSync > 0) {
        file.failSync--;
        throw new Error('EIO');
      }
    },
    async truncate(length) {
      file.calls.push('truncate');
      if (file.failTruncate) throw new Error('EROFS');
      file.truncatedTo.push(length);
      file.bytes = file.bytes.subarray(0, length);
    },
    async close() {
      file.calls.push('close');
    },
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
    await expect(journal.write([record(2)])).rejects.toThrow(
      'journal could not be cut back after a failed write (EROFS)',
    );
    await expect(journal.write([record(3)])).rejects.toThrow(/could not be cut back/);
    expect(file.calls.filter((c) => c === 'write')).toHaveLength(1);
  });

  it('writes one line per record, each ending in a newline, then syncs', async () => {
    const { file, handle } = fakeFile();
    const journal = createJournalWriter(handle, 0);
    await journal.write([record(1), record(2)]);
    expect(file.bytes.toString()).toBe(`${JSON.stringify(record(1))}\n${JSON.stringify(record(2))}\n`);
    expect(file.calls).toEqual(['write', 'datasync']);
  });

  it('cuts back to the durable size it was opened with plus every write since', async () => {
    const { file, handle } = fakeFile();
    file.bytes = Buffer.from('0123456789');
    const journal = createJournalWriter(handle, 10);
    await journal.write([record(1)]);
    const durable = file.bytes.length;
    file.failWrite = true;
    await expect(journal.write([record(2)])).rejects.toThrow('ENOSPC');
    expect(file.truncatedTo).toEqual([durable]);
  });

  it('syncs the cut before reporting the failure', async () => {
    const { file, handle } = fakeFile();
    const journal = createJournalWriter(handle, 0);
    file.failSync = 1;
    await expect(journal.write([record(1)])).rejects.toThrow('EIO');
    expect(file.calls).toEqual(['write', 'datasync', 'truncate', 'datasync']);
  });

  it('refuses further writes when the cut cannot be synced', async () => {
    const { file, handle } = fakeFile();
    const journal = createJournalWriter(handle, 0);
    file.failSync = 2;
    await expect(journal.write([record(1)])).rejects.toThrow('EIO');
    await expect(journal.write([record(2)])).rejects.toThrow(
      'journal could not be cut back after a failed write (EIO)',
    );
  });

  it('closes the file', async () => {
    const { file, handle } = fakeFile();
    await createJournalWriter(handle, 0).close();
    expect(file.calls).toEqual(['close']);
  });
});
