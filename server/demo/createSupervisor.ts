import { type Child, startChild } from './startChild.ts';

/** A second signal within this long is the same request delivered twice, not an "I mean it". */
const REPEAT_MS = 1500;

/** Options of one supervised child. */
export interface SuperviseOptions {
  /** A clean exit (code 0) leaves the other children running instead of stopping everything. */
  mayFinish?: boolean;
}

/** Keeps a launcher's children together: they stop together, and the launcher exits with them. */
export interface Supervisor {
  /** Starts a child (see `startChild`); if it exits on its own, everything stops with its exit code. */
  start(
    name: string,
    command: string,
    args: string[],
    env?: NodeJS.ProcessEnv,
    opts?: SuperviseOptions,
  ): Child;
  /** Stops the children, last started first, then exits the process with `code`. */
  shutdown(code: number): Promise<never>;
  /** True once a shutdown began. */
  readonly stopping: boolean;
}

/**
 * Supervises a launcher's child processes. SIGINT, SIGTERM and SIGHUP stop every child (by PID,
 * waiting for each to exit) and exit 0; a second signal kills what is left at once. A child that dies
 * takes the others down and its exit code becomes the launcher's.
 */
export function createSupervisor(label: string): Supervisor {
  const children: Child[] = [];
  let stopping = false;

  let shuttingDown: Promise<never> | undefined;
  function shutdown(code: number): Promise<never> {
    stopping = true;
    // The first reason wins: a child dying and a failed health check may both ask for it.
    shuttingDown ??= (async () => {
      // Last started first: dependants (agents, the dev UI) go before what they talk to.
      for (const child of [...children].reverse()) await child.stop();
      process.exit(code);
    })();
    return shuttingDown;
  }

  let firstSignalAt = 0;
  function onSignal(signal: NodeJS.Signals): void {
    if (stopping) {
      // One Ctrl-C often arrives twice: from the terminal and relayed by the tsx or npm above us.
      if (Date.now() - firstSignalAt < REPEAT_MS) return;
      process.stderr.write(`${label}: ${signal} again, killing the children\n`);
      void Promise.all(children.map((c) => c.stop(0))).then(() => process.exit(130));
      return;
    }
    firstSignalAt = Date.now();
    process.stderr.write(`${label}: ${signal}, stopping…\n`);
    void shutdown(0);
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

  return {
    start(name, command, args, env = process.env, opts = {}) {
      const child = startChild(name, command, args, env);
      children.push(child);
      void child.exited.then((code) => {
        if (stopping) return;
        if (code === 0 && opts.mayFinish) return;
        process.stderr.write(`${label}: ${name} exited with code ${code}, stopping the rest\n`);
        void shutdown(code);
      });
      return child;
    },
    shutdown,
    get stopping() {
      return stopping;
    },
  };
}
