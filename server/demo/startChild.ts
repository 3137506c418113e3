import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** A child process started by a launcher (the demo, the dev server). */
export interface Child {
  name: string;
  pid: number | undefined;
  /** Resolves with the exit code once the process is gone (128 + n when killed by signal n). */
  exited: Promise<number>;
  /** Whether it has exited. */
  readonly done: boolean;
  /**
   * Sends SIGTERM to its PID and waits; after `graceMs` kills its whole process group. Resolves
   * with the exit code. @default graceMs 8000
   */
  stop(graceMs?: number): Promise<number>;
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already empty.
  }
}

/**
 * Starts a command with inherited stdout/stderr in its own process group. The group is why: a
 * terminal's Ctrl-C reaches only the launcher, which then stops its children in order (agents before
 * the server they talk to); and a last-resort SIGKILL to the group also reaches what the child spawned
 * itself (tsx runs the script in a node process of its own).
 */
export function startChild(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Child {
  const proc = spawn(command, args, { env, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
  let done = false;
  const exited = new Promise<number>((resolve) => {
    proc.once('error', (err) => {
      process.stderr.write(`${name}: could not start ${command}: ${err.message}\n`);
      done = true;
      resolve(127);
    });
    proc.once('exit', (code, signal) => {
      done = true;
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
  // If the launcher itself dies unexpectedly, take the child along rather than orphan it.
  const onExit = () => {
    if (!done) killGroup(proc.pid);
  };
  process.once('exit', onExit);
  void exited.then(() => process.off('exit', onExit));

  return {
    name,
    pid: proc.pid,
    exited,
    get done() {
      return done;
    },
    async stop(graceMs = 8000) {
      if (!done) proc.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), graceMs);
      });
      if ((await Promise.race([exited, timedOut])) === 'timeout' && graceMs > 0) {
        process.stderr.write(`${name}: still running ${graceMs / 1000} s after SIGTERM, killing it\n`);
      }
      clearTimeout(timer);
      // Also sweeps up anything the child left behind in its group.
      killGroup(proc.pid);
      return exited;
    },
  };
}
