import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../../support/repoRoot.ts';
import type { ClientCommand, ClientReply, ClientResult, Target } from './fanoutProtocol.ts';

const FANOUT_CLIENT = fileURLToPath(new URL('./fanoutClient.ts', import.meta.url));
const live = new Set<ChildProcess>();

// A crashed or interrupted bench must not leave a client holding thousands of sockets.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** The client process, driven over IPC. */
export interface FanoutClient {
  pid: number;
  /** Runs one command; rejects if the client reports an error, exits, or takes longer than `timeoutMs`. */
  run<R extends ClientResult>(command: ClientCommand, timeoutMs: number): Promise<R>;
  /** SIGKILLs it (it holds nothing worth a graceful end) and waits for the exit. */
  kill(): Promise<void>;
}

/** Starts `fanoutClient.ts` as its own Node process for `target`. */
export function spawnFanoutClient(target: Target): FanoutClient {
  const child = spawn(process.execPath, ['--import', 'tsx', FANOUT_CLIENT, JSON.stringify(target)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  live.add(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve(signal ?? `code ${code}`);
    }),
  );
  let nextId = 0;
  return {
    pid: child.pid ?? -1,
    run<R extends ClientResult>(command: ClientCommand, timeoutMs: number) {
      const id = ++nextId;
      return new Promise<R>((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          child.off('message', onMessage);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`client did not finish ${command.op} within ${timeoutMs} ms`));
        }, timeoutMs);
        const onMessage = (reply: ClientReply) => {
          if (reply.id !== id) return;
          done();
          if ('error' in reply) reject(new Error(`client failed in ${command.op}: ${reply.error}`));
          else resolve(reply.result as R);
        };
        child.on('message', onMessage);
        void exited.then((how) => {
          done();
          reject(new Error(`client exited (${how}) during ${command.op}: ${stderr.trim().slice(-500)}`));
        });
        child.send({ id, command });
      });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
