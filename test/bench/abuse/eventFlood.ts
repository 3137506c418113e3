import { Agent } from 'node:http';
import type { Attack } from './attackOptions.ts';
import { createAttackerSession } from './createAttackerSession.ts';
import { createTally } from './createTally.ts';
import { formatBytes } from './formatBytes.ts';
import { repeatUntilAborted } from './repeatUntilAborted.ts';
import { requestOnce } from './requestOnce.ts';

const BATCHED_LOOPS = 4;
const UNBATCHED_LOOPS = 2;
const CALLS = 60;
const EVENTS = 1000;
// The smallest valid event keeps 60 × 1000 of them under the 2 MiB body limit.
const EVENTS_JSON = Array.from({ length: EVENTS }, () => '{"type":"thought","text":"x"}').join(',');

/**
 * Event flood: four loops each POST a tRPC batch of 60 `events.append` calls × 1000 events (60 000 events
 * per request) into their own session, and two more loops send single 1000-event appends.
 */
export const eventFlood: Attack = async ({ url, token, source, signal, ready }) => {
  const agent = new Agent({ keepAlive: true });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const sessions = await Promise.all(
    Array.from({ length: BATCHED_LOOPS + UNBATCHED_LOOPS }, (_, i) =>
      createAttackerSession({ url, token, source, agent, signal, title: `event flood ${i}` }),
    ),
  );
  const call = (sessionId: string) => `{"sessionId":"${sessionId}","events":[${EVENTS_JSON}]}`;
  const batchPath = `/trpc/${Array.from({ length: CALLS }, () => 'events.append').join(',')}?batch=1`;
  const batched = createTally();
  const unbatched = createTally();
  let bodyBytes = 0;
  ready();
  const loops = sessions.map((sessionId, i) => {
    const isBatched = i < BATCHED_LOOPS;
    const body = Buffer.from(
      isBatched
        ? `{${Array.from({ length: CALLS }, (_, j) => `"${j}":${call(sessionId)}`).join(',')}}`
        : call(sessionId),
    );
    if (isBatched) bodyBytes = body.length;
    const tally = isBatched ? batched : unbatched;
    const path = isBatched ? batchPath : '/trpc/events.append';
    return repeatUntilAborted(
      signal,
      async () => {
        const res = await requestOnce({ url, path, method: 'POST', headers, body, source, agent, signal });
        tally.add(res.status);
      },
      (key) => tally.add(key),
    );
  });
  await Promise.all(loops);
  agent.destroy();
  const accepted = batched.get(200) * CALLS * EVENTS + unbatched.get(200) * EVENTS;
  return {
    outcome:
      `batched (${formatBytes(bodyBytes)} bodies): ${batched.format()}; unbatched: ${unbatched.format()}; ` +
      `≥${accepted.toLocaleString('en')} events stored`,
  };
};
