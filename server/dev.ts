/**
 * `npm run dev`: the API server under `tsx watch` (restarts on change) and the Vite dev server (hot
 * reload), which proxies /trpc, /api, /healthz and /ws to the API. Open the URL Vite prints.
 *
 * LIVETRAIL_DEV_API_PORT moves the API off port 3001; the rest of the environment (LIVETRAIL_STORE, …)
 * reaches the API server unchanged. Ctrl-C stops both.
 */
import { createSupervisor } from './demo/createSupervisor.ts';

const DEFAULT_API_PORT = '3001';

const apiPort = process.env.LIVETRAIL_DEV_API_PORT || DEFAULT_API_PORT;
if (!/^\d{1,5}$/.test(apiPort) || Number(apiPort) < 1 || Number(apiPort) > 65535) {
  process.stderr.write(
    `dev: LIVETRAIL_DEV_API_PORT must be a port from 1 to 65535 (got ${JSON.stringify(apiPort)})\n`,
  );
  process.exit(2);
}

const supervisor = createSupervisor('dev');
supervisor.start('api', 'node_modules/.bin/tsx', ['watch', 'server/main.ts'], {
  ...process.env,
  PORT: apiPort,
  // Vite's proxy keeps the browser's Host (127.0.0.1:5173, or the next free port): accept it.
  LIVETRAIL_ALLOWED_HOSTS: process.env.LIVETRAIL_ALLOWED_HOSTS || 'localhost,127.0.0.1',
});
supervisor.start('vite', 'node_modules/.bin/vite', [], {
  ...process.env,
  // vite.config.ts proxies to this; an explicit LIVETRAIL_DEV_API still wins.
  LIVETRAIL_DEV_API: process.env.LIVETRAIL_DEV_API || `http://127.0.0.1:${apiPort}`,
});
