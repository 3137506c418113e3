import { trpcCall } from './trpcCall.ts';

const CONCURRENCY = 16;

/**
 * Creates `count` sessions with a few events each, so that `sessions.list` is big enough for batch
 * amplification to matter; resolves the size of one `sessions.list` answer in bytes.
 */
export async function seedSessions(url: string, token: string, count: number): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const { id } = await trpcCall<{ id: string }>(url, 'sessions.create', token, {
        title: `seed ${i}: refactor the billing module and fix the flaky integration tests`,
        agent: 'seed-agent',
      });
      await trpcCall(url, 'events.append', token, {
        sessionId: id,
        events: [
          { type: 'assistant_message', text: `seed ${i} says hello` },
          { type: 'tool_call', callId: 'c1', tool: 'bash', args: { cmd: 'npm test' } },
          { type: 'cost', usd: 0.01, inputTokens: 1200, outputTokens: 300 },
        ],
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const list = await fetch(`${url}/trpc/sessions.list`, { headers: { authorization: `Bearer ${token}` } });
  return (await list.arrayBuffer()).byteLength;
}
