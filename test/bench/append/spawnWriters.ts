import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../../support/repoRoot.ts';
import type { GoMessage, WriterConfig, WriterMessage } from './contentionProtocol.ts';

const WRITER = fileURLToPath(new URL('./contentionWriter.ts', import.meta.url));
const live = new Set<ChildProcess>();

// A crashed or interrupted bench must not leave writers behind.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export type WriterReport = Extract<WriterMessage, { type: 'done' }>;

/** Writer processes started together, driven over IPC. */
export interface WriterGroup {
  pids: number[];
  /** Tells every writer to start appending for `durationMs`; resolves with every report. */
  run(durationMs: number, timeoutMs: number): Promise<WriterReport[]>;
  /** SIGKILLs (by PID) every writer still running and waits for them to exit. */
  kill(): Promise<void>;
}

function waitFor<T>(what: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Starts one `contentionWriter.ts` process per config (`node --import tsx`, so each PID is the
 * writer) and resolves once every one has opened its store, or rejects (killing them all) if one
 * fails or they take longer than `readyTimeoutMs`.
 */
export async function spawnWriters(configs: WriterConfig[], readyTimeoutMs: number): Promise<WriterGroup> {
  const children = configs.map((config) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, JSON.stringify(config)], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    live.add(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    const exited = new Promise<void>((resolve) =>
      child.once('exit', () => {
        live.delete(child);
        resolve();
      }),
    );
    /** The next message of `type`; rejects if the writer fails or exits first. */
    const next = <T extends WriterMessage['type']>(type: T) =>
      new Promise<Extract<WriterMessage, { type: T }>>((resolve, reject) => {
        const onMessage = (m: WriterMessage) => {
          if (m.type === 'failed') reject(new Error(`writer ${config.index} failed: ${m.error}`));
          else if (m.type === type) resolve(m as Extract<WriterMessage, { type: T }>);
        };
        child.on('message', onMessage);
        void exited.then(() => reject(new Error(`writer ${config.index} exited: ${stderr.trim()}`)));
      });
    return { child, exited, ready: next('ready'), done: next('done') };
  });
  for (const c of children) {
    c.ready.catch(() => {});
    c.done.catch(() => {});
  }
  const kill = async () => {
    for (const { child } of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
  };
  try {
    await waitFor('writers starting', Promise.all(children.map((c) => c.ready)), readyTimeoutMs);
  } catch (err) {
    await kill();
    throw err;
  }
  return {
    pids: children.map((c) => c.child.pid ?? -1),
    async run(durationMs, timeoutMs) {
      const go: GoMessage = { type: 'go', durationMs };
      for (const { child } of children) child.send(go);
      const reports = await waitFor('writers running', Promise.all(children.map((c) => c.done)), timeoutMs);
      // They close their stores and exit on their own; give them a moment, then make sure.
      await waitFor('writers exiting', Promise.all(children.map((c) => c.exited)), 10_000).catch(kill);
      return reports;
    },
    kill,
  };
}
