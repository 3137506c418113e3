/**
 * One floor server of `fanout.bench.ts` in its own process:
 * `node --import tsx test/bench/fanout/floorServer.ts <bare-sse|bare-ws|socket.io>`. Listens on a free
 * port of 127.0.0.1 and prints `listening <port>`; exits on SIGTERM or when its parent goes away.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBareSseServer } from './bareSseServer.ts';
import { createBareWsServer } from './bareWsServer.ts';
import { createSocketIoServer } from './socketIoServer.ts';

const FLOORS: Record<string, () => Server> = {
  'bare-sse': createBareSseServer,
  'bare-ws': createBareWsServer,
  'socket.io': createSocketIoServer,
};

const create = FLOORS[process.argv[2] ?? ''];
if (!create) {
  process.stderr.write(`usage: floorServer.ts <${Object.keys(FLOORS).join('|')}>\n`);
  process.exit(2);
}
const server = create();
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.once('SIGTERM', () => process.exit(0));
// stdin is a pipe from the bench: when it closes, the bench is gone and so is the reason to run.
process.stdin.on('end', () => process.exit(0)).resume();
