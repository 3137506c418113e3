import { existsSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { fromEnv } from './config.ts';
import { DB_FILE } from './store/sqliteSchema.ts';

/**
 * `npm run backup -- <file>`: a consistent copy of the embedded store's database, taken with
 * SQLite's online backup API while the server keeps running (it needs no lock: the copy is one
 * snapshot, whatever is written meanwhile). The copy is checked (`PRAGMA quick_check`) before it is
 * put at `<file>`; start from it by making it `livetrail.db` in an empty data directory.
 */
function fail(line: string): never {
  process.stderr.write(`livetrail backup: ${line}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const target = process.argv[2];
  if (!target || target.startsWith('-')) fail('usage: npm run backup -- <file>');
  const out = resolve(target);
  if (existsSync(out)) fail(`${out} exists; pick a new file name`);
  let dataDir: string;
  try {
    dataDir = fromEnv(process.env).dataDir;
  } catch (err) {
    fail((err as Error).message);
  }
  const source = join(dataDir, DB_FILE);
  if (!existsSync(source))
    fail(`no database at ${source} (set LIVETRAIL_DATA_DIR to the server's data directory)`);

  const started = Date.now();
  const partial = `${out}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // After the first step, everything that is left in one step: one read snapshot, so writes the
    // server makes meanwhile cannot restart the copy over and over.
    await db.backup(partial, { progress: () => 2 ** 30 });
  } finally {
    db.close();
  }
  const copy = new Database(partial, { fileMustExist: true });
  const check = copy.pragma('quick_check', { simple: true });
  const sessions = copy.prepare('SELECT COUNT(*) FROM sessions').pluck().get() as number;
  const events = copy.prepare('SELECT COUNT(*) FROM events').pluck().get() as number;
  copy.close();
  if (check !== 'ok') fail(`the copy did not pass quick_check (${check}); ${source} may be damaged`);
  renameSync(partial, out);
  process.stdout.write(
    `livetrail backup: wrote ${out} (${sessions} sessions, ${events} events) in ${Date.now() - started} ms\n`,
  );
}

main().catch((err) => fail((err as Error).message));
