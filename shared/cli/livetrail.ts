#!/usr/bin/env node
/** The `livetrail` command (see USAGE in parseCliArgs.ts): sessions, tail, send. */
import manifest from '../package.json' with { type: 'json' };
import { runCli } from './runCli.ts';

// Ctrl-C while following is the normal way to stop: no stack, the shell's usual status.
process.once('SIGINT', () => process.exit(130));
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  version: manifest.version,
});
