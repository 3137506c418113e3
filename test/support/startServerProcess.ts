import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './repoRoot.ts';

/** Options of `startServerProcess`. */
export interface ServerProcessOptions {
  /** Extra environment for the server; wins over the defaults below. */
  env?: Record<string, string>;
  /** Port to listen on. @default 0 (the OS picks a free one; restarts reuse it) */
  port?: number;
  /** How long to wait for the `serving on` line. @default 30_000 */
  startTimeoutMs?: number;
}

/** A livetrail server running as a child process, with its own temporary data directory. */
export interface ServerProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The file store's directory; survives `stop()` and `restart()`, removed by `dispose()`. */
  dataDir: string;
  /** PID of the current server process. */
  readonly pid: number;
  /** Everything the server wrote to stdout and stderr, across restarts. */
  output(): string;
  /** Sends `signal` to the server's PID and waits for it to exit (SIGKILL after 10 s). @default 'SIGTERM' */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port with the same data directory (stops it first if running). */
  restart(): Promise<void>;
  /** Stops the server and removes its data directory. */
  dispose(): Promise<void>;
}

const SERVING = /livetrail: serving on (http:\/\/\S+)/;
const live = new Set<ChildProcess>();

// A crashed or interrupted test run must not leave servers holding ports.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Spawns `server/main.ts` as one Node process (`node --import tsx`, so the PID is the server itself —
 * `.bin/tsx` would fork a second node underneath) on 127.0.0.1 with the file store in a fresh temp
 * directory, and resolves once it prints its `serving on` line.
 */
export async function startServerProcess(opts: ServerProcessOptions = {}): Promise<ServerProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'livetrail-e2e-'));
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  let port = opts.port ?? 0;
  let url = '';
  let log = '';
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        LIVETRAIL_STORE: 'sqlite',
        LIVETRAIL_DATA_DIR: dataDir,
        // A build of one's own (`vite build --outDir …`) can be pointed at; dist/client otherwise.
        LIVETRAIL_STATIC_DIR: process.env.LIVETRAIL_STATIC_DIR || join(REPO_ROOT, 'dist/client'),
        LOG_LEVEL: 'warn',
        ...opts.env,
      },
    });
    child = proc;
    live.add(proc);
    proc.once('exit', () => live.delete(proc));
    await new Promise<void>((resolve, reject) => {
      let pending = '';
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`server did not start within ${startTimeoutMs} ms:\n${log}`));
      }, startTimeoutMs);
      const onData = (chunk: Buffer) => {
        const text = chunk.toString();
        log += text;
        pending += text;
        const match = SERVING.exec(pending);
        if (match) {
          clearTimeout(timer);
          proc.off('exit', onExit);
          url = match[1]!;
          port = Number(new URL(url).port);
          resolve();
        }
      };
      const onExit = (code: number | null, signal: string | null) => {
        clearTimeout(timer);
        reject(new Error(`server exited before serving (code ${code}, signal ${signal}):\n${log}`));
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
      });
      proc.once('exit', onExit);
    });
  }

  async function stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const proc = child;
    if (!proc) return;
    child = undefined;
    const exited = waitForExit(proc);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  await start().catch(async (err) => {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  });

  return {
    get url() {
      return url;
    },
    get port() {
      return port;
    },
    get pid() {
      return child?.pid ?? -1;
    },
    dataDir,
    output: () => log,
    stop,
    async restart() {
      await stop();
      await start();
    },
    async dispose() {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
