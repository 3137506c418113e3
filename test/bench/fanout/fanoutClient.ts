/**
 * The client process of `fanout.bench.ts`, the same for every server so that client cost is equal:
 * `node --import tsx test/bench/fanout/fanoutClient.ts '<target JSON>'` with an IPC channel. It holds
 * every subscriber and the publisher, runs one command at a time as the coordinator sends them
 * (`ClientRequest`) and answers each with a `ClientReply`. Exits when the coordinator disconnects.
 */
import type { ClientCommand, ClientReply, ClientRequest, ClientResult, Target } from './fanoutProtocol.ts';
import { runBurst } from './runBurst.ts';
import { runIdle } from './runIdle.ts';
import { runPaced } from './runPaced.ts';

const target = JSON.parse(process.argv[2] ?? '{}') as Target;
if (!process.send || !target.url) {
  process.stderr.write(
    "usage: fanoutClient.ts '<target JSON>' (with an IPC channel, from fanout.bench.ts)\n",
  );
  process.exit(2);
}

function run(command: ClientCommand): Promise<ClientResult> {
  switch (command.op) {
    case 'burst':
      return runBurst(target, command);
    case 'paced':
      return runPaced(target, command);
    case 'idle':
      return runIdle(target, command);
  }
}

let queue = Promise.resolve();
process.on('message', (request: ClientRequest) => {
  queue = queue.then(async () => {
    let reply: ClientReply;
    try {
      reply = { id: request.id, result: await run(request.command) };
    } catch (err) {
      reply = { id: request.id, error: (err as Error).stack ?? String(err) };
    }
    process.send?.(reply);
  });
});
process.on('disconnect', () => process.exit(0));
