import { type Config, fromEnv, isLoopbackHost } from './config.ts';
import { ensureClientBuild } from './ensureClientBuild.ts';
import { createLivetrailServer } from './http/createLivetrailServer.ts';
import { createLogger } from './logger.ts';
import { createStore } from './store/createStore.ts';
import { startRetention } from './store/startRetention.ts';

/** Exits within this long after SIGINT/SIGTERM even if something hangs. */
const SHUTDOWN_DEADLINE_MS = 5_000;

function fail(line: string, code: number): never {
  process.stderr.write(`livetrail: ${line}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = fromEnv(process.env);
  } catch (err) {
    fail((err as Error).message, 2);
  }
  const log = createLogger(config.logLevel);
  if (config.auth === 'off' && !isLoopbackHost(config.host)) {
    process.stderr.write(
      `livetrail: warning: LIVETRAIL_AUTH=off on ${config.host}: anyone who can reach this port can read and write every session\n`,
    );
  }
  if (process.argv.includes('--build-if-stale')) {
    await ensureClientBuild(config.staticDir, (m) => process.stdout.write(`livetrail: ${m}\n`));
  }
  const store = await createStore(config, log).catch((err: unknown) =>
    fail(`cannot open the ${config.store} store: ${(err as Error).message}`, 1),
  );
  const app = await createLivetrailServer({ config, store, log }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE')
      fail(`port ${config.port} on ${config.host} is already in use (set PORT=…)`, 1);
    if (err.code === 'EACCES') fail(`no permission to listen on ${config.host}:${config.port}`, 1);
    throw err;
  });
  log.info(
    { url: app.url, store: store.kind, dataDir: config.store === 'sqlite' ? config.dataDir : undefined },
    'listening',
  );
  process.stdout.write(`livetrail: serving on ${app.url} (store: ${store.kind})\n`);
  const retention =
    config.retentionDays === undefined
      ? undefined
      : startRetention(store, { days: config.retentionDays, log });
  // The one place a token is shown: to the person who started the server, so they can sign in.
  const person =
    config.tokens.find((t) => t.role === 'admin') ?? config.tokens.find((t) => t.role === 'viewer');
  if (config.auth === 'on') {
    process.stdout.write(
      person
        ? `livetrail: sign in at ${app.url.replace(/\/\/(0\.0\.0\.0|\[::\])/, '//127.0.0.1')}/?token=${encodeURIComponent(person.token)}\n`
        : 'livetrail: access control is on; no admin or viewer token is configured for the web app\n',
    );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => fail('shutdown took too long, exiting', 1), SHUTDOWN_DEADLINE_MS).unref();
    retention?.stop();
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => fail(`failed to start: ${(err as Error).stack ?? err}`, 1));
