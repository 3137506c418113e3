import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JOURNAL_FILE, openFileJournal } from '../../server/store/fileJournal.ts';
import type { Journal, JournalRecord } from '../../server/store/journal.ts';

// Lets a test make the journal's read fail part-way, as a disk error would; otherwise the real fs.
const reads = vi.hoisted(() => ({ failAfter: undefined as { data: string; err: Error } | undefined }));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  function createReadStream(...args: Parameters<typeof real.createReadStream>) {
    const failing = reads.failAfter;
    if (!failing) return real.createReadStream(...args);
    return Readable.from(
      (async function* readThenFail() {
        yield Buffer.from(failing.data);
        throw failing.err;
      })(),
    );
  }
  return { ...real, createReadStream };
});

const session = (id: string): JournalRecord => ({
  op: 'session',
  session: { id, title: 't', agent: 'a', createdAt: '2026-01-01T00:00:00.000Z' },
});
const events = (sessionId: string, seq: number): JournalRecord => ({
  op: 'events',
  sessionId,
  events: [{ type: 'thought', text: `t${seq}`, sessionId, seq, ts: '2026-01-01T00:00:01.000Z' }],
});
const ndjson = (records: unknown[]) => records.map((r) => `${JSON.stringify(r)}\n`).join('');

describe('openFileJournal', () => {
  const dirs: string[] = [];
  const journals: Journal[] = [];
  afterEach(async () => {
    for (const j of journals.splice(0)) await j.close().catch(() => {});
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  async function fresh(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'livetrail-journal-'));
    dirs.push(dir);
    return dir;
  }
  async function open(dir: string, warnings: string[] = []) {
    const opened = await openFileJournal(dir, (m) => warnings.push(m));
    journals.push(opened.journal);
    return opened;
  }

  it('creates missing directories and starts empty, without a warning', async () => {
    const dir = join(await fresh(), 'a', 'b');
    const warnings: string[] = [];
    const { records, journal } = await open(dir, warnings);
    expect(records).toEqual([]);
    expect(warnings).toEqual([]);
    await journal.write([session('s1')]);
    expect(await readFile(join(dir, JOURNAL_FILE), 'utf8')).toBe(ndjson([session('s1')]));
  });

  it('reads back what it wrote, in order, and appends after it when reopened', async () => {
    const dir = await fresh();
    const first = await open(dir);
    await first.journal.write([session('s1'), events('s1', 1)]);
    await first.journal.write([events('s1', 2)]);
    await first.journal.close();

    const second = await open(dir);
    expect(second.records).toEqual([session('s1'), events('s1', 1), events('s1', 2)]);
    await second.journal.write([events('s1', 3)]);
    const third = await open(dir);
    expect(third.records.at(-1)).toEqual(events('s1', 3));
    expect(third.records).toHaveLength(4);
  });

  it('skips blank lines silently but counts them in line numbers', async () => {
    const dir = await fresh();
    await writeFile(join(dir, JOURNAL_FILE), `${ndjson([session('s1')])}\n${'{"op":"nope"}'}\n`);
    const warnings: string[] = [];
    const { records } = await open(dir, warnings);
    expect(records).toEqual([session('s1')]);
    expect(warnings).toEqual(['journal: line 3 unreadable, skipped']);
  });

  it('skips lines that are not JSON or are not a known record, and keeps the rest', async () => {
    const dir = await fresh();
    const text = [
      JSON.stringify(session('s1')),
      'not json',
      'null',
      '{"op":"rename","sessionId":"s1"}',
      JSON.stringify(events('s1', 1)),
    ].join('\n');
    await writeFile(join(dir, JOURNAL_FILE), `${text}\n`);
    const warnings: string[] = [];
    const { records } = await open(dir, warnings);
    expect(records).toEqual([session('s1'), events('s1', 1)]);
    expect(warnings).toEqual([2, 3, 4].map((n) => `journal: line ${n} unreadable, skipped`));
  });

  it('moves a torn last line aside, cuts it off, and appends cleanly after the cut', async () => {
    const dir = await fresh();
    const whole = ndjson([session('s1'), events('s1', 1)]);
    const torn = '{"op":"events","sessionId":"s1","ev';
    await writeFile(join(dir, JOURNAL_FILE), whole + torn);
    const warnings: string[] = [];
    const { records, journal } = await open(dir, warnings);
    expect(records).toEqual([session('s1'), events('s1', 1)]);

    const aside = (await readdir(dir)).filter((f) => f.startsWith(`${JOURNAL_FILE}.torn-`));
    expect(aside).toHaveLength(1);
    expect(aside[0]).toMatch(/^journal\.ndjson\.torn-\d+$/);
    expect(await readFile(join(dir, aside[0]!), 'utf8')).toBe(torn);
    expect(warnings).toEqual([
      `journal: torn last line (${torn.length} bytes) cut off and kept in ${join(dir, aside[0]!)}`,
    ]);
    expect(await readFile(join(dir, JOURNAL_FILE), 'utf8')).toBe(whole);

    await journal.write([events('s1', 2)]);
    expect(await readFile(join(dir, JOURNAL_FILE), 'utf8')).toBe(whole + ndjson([events('s1', 2)]));
  });

  it('cuts a journal that is nothing but a torn line back to empty', async () => {
    const dir = await fresh();
    await writeFile(join(dir, JOURNAL_FILE), '{"op":"sess');
    const warnings: string[] = [];
    const { records, journal } = await open(dir, warnings);
    expect(records).toEqual([]);
    expect(warnings).toHaveLength(1);
    await journal.write([session('s1')]);
    expect(await readFile(join(dir, JOURNAL_FILE), 'utf8')).toBe(ndjson([session('s1')]));
  });

  it('reassembles lines that span read chunks, keeping a torn tail after them', async () => {
    const dir = await fresh();
    // Records of ~300 KiB, so the 1 MiB read chunks end mid-line several times.
    const big = (seq: number): JournalRecord => ({
      op: 'events',
      sessionId: 's1',
      events: [{ type: 'thought', text: 'y'.repeat(300 * 1024), sessionId: 's1', seq, ts: 'x' }],
    });
    const all = [session('s1'), ...Array.from({ length: 8 }, (_, i) => big(i + 1))];
    await writeFile(join(dir, JOURNAL_FILE), `${ndjson(all)}{"op":`);
    const warnings: string[] = [];
    const { records } = await open(dir, warnings);
    expect(records).toEqual(all);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^journal: torn last line \(6 bytes\)/);
    expect(await readFile(join(dir, JOURNAL_FILE), 'utf8')).toBe(ndjson(all));
  });

  it('refuses to open a journal it cannot read to the end, rather than start without its records', async () => {
    const dir = await fresh();
    const text = ndjson([session('s1'), events('s1', 1)]);
    await writeFile(join(dir, JOURNAL_FILE), text);
    const eio = Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    reads.failAfter = { data: text.slice(0, 10), err: eio };
    try {
      await expect(openFileJournal(dir, () => {})).rejects.toBe(eio);
    } finally {
      reads.failAfter = undefined;
    }
    expect(await readFile(join(dir, JOURNAL_FILE), 'utf8')).toBe(text);
  });
});
