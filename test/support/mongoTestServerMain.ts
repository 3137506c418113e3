import { parseArgs } from 'node:util';
import { startMongoWireServer } from './mongoWire/createMongoWireServer.ts';

const USAGE = 'usage: npm run mongo:test-server -- --port N [--standalone]';

function fail(message: string): never {
  process.stderr.write(`mongo:test-server: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/** Parses `--port N [--standalone]`; exits with one readable line on bad input. */
function parseFlags(argv: string[]): { port: number; standalone: boolean } {
  let values: { port?: string; standalone?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        standalone: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (values.port === undefined) fail('--port is required');
  if (!/^\d+$/.test(values.port) || Number(values.port) > 65_535) {
    fail(`--port must be an integer from 0 to 65535, got ${JSON.stringify(values.port)}`);
  }
  return { port: Number(values.port), standalone: values.standalone ?? false };
}

const flags = parseFlags(process.argv.slice(2));
const server = await startMongoWireServer(flags).catch((err: Error) => fail(`cannot listen: ${err.message}`));
process.stdout.write(`mongodb wire test server: ${server.uri}\n`);

let stopping = false;
function shutdown() {
  if (stopping) return;
  stopping = true;
  server.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
}
process.on('SIGINT', () => shutdown());
process.on('SIGTERM', () => shutdown());
