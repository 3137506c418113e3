import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../../support/repoRoot.ts';
import type { AttackMode, AttackReport } from './attackOptions.ts';

const ATTACKER = fileURLToPath(new URL('./attacker.ts', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 8_000;
const live = new Set<ChildProcess>();

// A crashed or interrupted bench must not leave attackers hammering anything.
process.once('exit', killAttackers);

/** SIGKILLs every attacker still running, each by its own PID. */
export function killAttackers(): void {
  for (const child of live) child.kill('SIGKILL');
}

/** How an attacker process ended: its report, or why there is none. */
export interface AttackerResult {
  report?: AttackReport;
  /** Set when the process exited without a report (a crash), with the end of its stderr. */
  crashed?: string;
}

/** An attacker child process. */
export interface AttackerProcess {
  pid: number;
  /** Resolves once the attacker prints `ready`; rejects if it exits or stays silent first. */
  ready: Promise<void>;
  /** SIGTERM, then SIGKILL after a grace period; resolves with its report. */
  stop(): Promise<AttackerResult>;
}

/**
 * Starts `attacker.ts` as its own Node process (`node --import tsx`, so the PID is the attacker and not
 * a wrapper), so that the attack's CPU and event loop are not the follower's.
 */
export function spawnAttacker(opts: {
  mode: AttackMode;
  url: string;
  token: string;
  seconds: number;
  source: string;
  sessionId: string;
}): AttackerProcess {
  const args = [opts.mode, opts.url, opts.token, String(opts.seconds), opts.source, opts.sessionId];
  const child = spawn(process.execPath, ['--import', 'tsx', ATTACKER, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let stdout = '';
  let stderr = '';
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve(signal ?? `code ${code}`);
    }),
  );
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('attacker not ready in time')), READY_TIMEOUT_MS);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (/^ready$/m.test(stdout)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`attacker exited (${how}) before it was ready: ${tail(stderr)}`));
    });
  });
  ready.catch(() => {});
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  return {
    pid: child.pid ?? -1,
    ready,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      const how = await exited;
      clearTimeout(timer);
      const line = /^report (.*)$/m.exec(stdout);
      if (line) return { report: JSON.parse(line[1]!) as AttackReport };
      return { crashed: `attacker crashed (${how}): ${tail(stderr)}` };
    },
  };
}

function tail(text: string): string {
  const lines = text.trim().split('\n');
  // Node prints the throwing source line first; the `SomeError: message` line is the useful one.
  return (lines.find((l) => /^\w*Error\b/.test(l)) ?? lines.at(-1) ?? '').trim().slice(0, 300);
}
