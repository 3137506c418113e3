import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE } from '../../server/store/sqliteSchema.ts';
import { REPO_ROOT } from '../support/repoRoot.ts';
import { tempDataDir } from '../support/sqliteFixture.ts';

/** Runs `npm run backup -- <file>` (as its script does) against `dataDir`. */
function backup(dataDir: string, file: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'server/backup.ts', file], {
      cwd: REPO_ROOT,
      env: { ...process.env, LIVETRAIL_DATA_DIR: dataDir },
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => {
      stdout += d;
    });
    proc.stderr.on('data', (d) => {
      stderr += d;
    });
    proc.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

let data: Awaited<ReturnType<typeof tempDataDir>>;
afterEach(async () => {
  await data?.cleanup();
});

describe('npm run backup', () => {
  it('copies a consistent snapshot while the store keeps writing, and the copy starts a store', async () => {
    data = await tempDataDir();
    const store = await data.open();
    const s = await store.createSession({ title: 'backed up', agent: 'a' });
    let writing = true;
    const writer = (async () => {
      let n = 0;
      while (writing) await store.append(s.id, [{ type: 'thought', text: `t${n++}` }]);
      return n;
    })();
    const file = join(data.dir, 'copy.db');
    const out = await backup(data.dir, file);
    writing = false;
    const written = await writer;
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(
      new RegExp(`^livetrail backup: wrote ${file} \\(1 sessions, \\d+ events\\) in \\d+ ms\\n$`),
    );

    // The copy is a data directory's database: a store opens it, gap-free up to where it was taken.
    const restored = join(data.dir, 'restored');
    mkdirSync(restored);
    copyFileSync(file, join(restored, DB_FILE));
    const other = await tempDataDir();
    try {
      const copy = await other.open({ dir: restored });
      const session = (await copy.getSession(s.id))!;
      const events = await copy.readEvents(s.id, { after: 0, limit: 100_000 });
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: session.lastSeq }, (_, i) => i + 1));
      expect(session.lastSeq).toBeLessThanOrEqual(written);
    } finally {
      await other.cleanup();
    }
  });

  it('refuses to overwrite, and says when there is no database', async () => {
    data = await tempDataDir();
    const taken = join(data.dir, 'taken.db');
    writeFileSync(taken, 'x');
    const overwrite = await backup(data.dir, taken);
    expect(overwrite.code).toBe(1);
    expect(overwrite.stderr).toBe(`livetrail backup: ${taken} exists; pick a new file name\n`);
    const none = await backup(data.dir, join(data.dir, 'new.db'));
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^livetrail backup: no database at .*livetrail\.db \(set LIVETRAIL_DATA_DIR/);
    const usage = await backup(data.dir, '');
    expect(usage.stderr).toBe('livetrail backup: usage: npm run backup -- <file>\n');
  });
});
