import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { REPO_ROOT } from '../../support/repoRoot.ts';

/** The real server on the SQLite store. */
export const MAIN_ENTRY = join(REPO_ROOT, 'server/main.ts');
/** The legacy file store served the same way (see legacyFileServer.ts). */
export const LEGACY_ENTRY = join(REPO_ROOT, 'test/bench/store/legacyFileServer.ts');

/** A server process started by spawnServer. */
export interface SpawnedServer {
  url: string;
  port: number;
  /** The server process itself (`node --import tsx`, no wrapper), for /proc readings. */
  pid: number;
  /** spawn() → the `serving on` line, ms. */
  startMs: number;
  /** Everything it printed (the last 16 kB). */
  output(): string;
  /** Sends `signal` (SIGTERM by default; SIGKILL after 10 s) and resolves once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const SERVING = /livetrail: serving on (http:\/\/\S+)/;
const live = new Set<ChildProcess>();

// A crashed or interrupted bench must not leave servers holding ports or data-dir locks.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Starts `entry` as one Node process on 127.0.0.1 (`port`, 0 = any free one) with the data directory
 * `dataDir`, auth off and the append rate limits raised past any bench; resolves at its `serving on`
 * line.
 */
export async function spawnServer(opts: {
  entry: string;
  dataDir: string;
  port?: number;
  env?: Record<string, string>;
  /** Extra Node flags (e.g. `--cpu-prof`), before `--import tsx`. */
  nodeArgs?: string[];
  timeoutMs?: number;
}): Promise<SpawnedServer> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', opts.entry], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(opts.port ?? 0),
      LIVETRAIL_STORE: 'sqlite',
      LIVETRAIL_DATA_DIR: opts.dataDir,
      // Blank is unset: auth stays off even if the bench's own environment has tokens.
      LIVETRAIL_TOKENS: '',
      LIVETRAIL_AUTH: '',
      LIVETRAIL_APPEND_RATE: '1000000',
      LIVETRAIL_APPEND_BURST: '10000000',
      LIVETRAIL_MAX_BATCH: '1000',
      LOG_LEVEL: 'warn',
      ...opts.env,
    },
  });
  live.add(child);
  let log = '';
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      live.delete(child);
      resolve();
    }),
  );
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-16_000);
  };
  child.stderr!.on('data', keep);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server not serving within ${opts.timeoutMs ?? 60_000} ms:\n${log}`));
    }, opts.timeoutMs ?? 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      keep(chunk);
      const match = SERVING.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(
        new Error(
          `server exited before serving (code ${child.exitCode}, signal ${child.signalCode}):\n${log}`,
        ),
      );
    });
  });
  const startMs = performance.now() - t0;
  return {
    url,
    port: Number(new URL(url).port),
    pid: child.pid!,
    startMs,
    output: () => log,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
