import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../../support/repoRoot.ts';
import type { BenchServer } from './benchServer.ts';

const FLOOR_SERVER = fileURLToPath(new URL('./floorServer.ts', import.meta.url));
const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 3_000;
const live = new Set<{ kill(signal: NodeJS.Signals): boolean }>();

// A crashed or interrupted bench must not leave floor servers holding ports.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Starts `floorServer.ts <kind>` as its own Node process (`node --import tsx`, so the PID is the server). */
export async function spawnFloorServer(kind: 'bare-sse' | 'bare-ws' | 'socket.io'): Promise<BenchServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', FLOOR_SERVER, kind], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  let log = '';
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      live.delete(child);
      resolve();
    }),
  );
  child.stderr.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000);
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${kind} server not listening in time:\n${log}`)),
      START_TIMEOUT_MS,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-8000);
      const match = /^listening (\d+)$/m.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${kind} server exited before listening:\n${log}`));
    });
  }).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    output: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
