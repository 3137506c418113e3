import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../../support/repoRoot.ts';

/** What seedMain.ts appends. */
export interface SeedPlan {
  kind: 'sqlite' | 'file';
  dir: string;
  /** Events in the directory when done, the backfill session's included. */
  total: number;
  /** Sessions the events (past the backfill session's) are spread over, round robin. */
  sessions: number;
  /** Events of the one `backfill` session (appended first). */
  backfillEvents: number;
  /** Events per append. */
  batch: number;
  /** Appends in flight at once (on different sessions). */
  inFlight: number;
}

/** What seedMain.ts did. */
export interface SeedReport {
  /** Events in the directory now. */
  events: number;
  /** Events this run appended. */
  appended: number;
  openMs: number;
  appendMs: number;
  closeMs: number;
  backfillSessionId: string;
  backfillEvents: number;
}

const SEED_MAIN = fileURLToPath(new URL('./seedMain.ts', import.meta.url));

/** Runs seedMain.ts on `plan` in a child process and answers its report (rejects on failure). */
export function runSeed(plan: SeedPlan): Promise<SeedReport> {
  const child = spawn(process.execPath, ['--import', 'tsx', SEED_MAIN, JSON.stringify(plan)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    err = (err + c.toString()).slice(-8000);
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`seeding failed (code ${code}, signal ${signal}):\n${err}`));
      if (err.trim() !== '') process.stderr.write(err);
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as SeedReport);
    });
  });
}
