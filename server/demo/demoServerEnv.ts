/** The data directory of a server the demo starts: its sessions never mix with `npm start`'s. */
export const DEMO_DATA_DIR = './.livetrail-demo-data';

/**
 * The environment of the server `npm run demo` starts: the launcher's, with the demo's own data
 * directory (whatever LIVETRAIL_DATA_DIR says, which is `npm start`'s) and quiet logs unless
 * LOG_LEVEL asks otherwise — the agents' lines are the show.
 */
export function demoServerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, LIVETRAIL_DATA_DIR: DEMO_DATA_DIR, LOG_LEVEL: env.LOG_LEVEL || 'warn' };
}
