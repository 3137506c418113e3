import { Agent, request } from 'node:http';
import { isLivetrail, type Target } from './fanoutProtocol.ts';

/** Publishes events to a target and makes its channels. */
export interface Publisher {
  /**
   * `count` fresh channels: new sessions on livetrail; on a floor server, names — or, for one
   * channel, undefined, which is the floor's broadcast to every subscriber.
   */
  createChannels(count: number): Promise<(string | undefined)[]>;
  /** One event with `text` on `channel`; resolves when the server has answered. */
  publish(channel: string | undefined, text: string): Promise<void>;
  close(): void;
}

const CREATE_CONCURRENCY = 16;
const REQUEST_TIMEOUT_MS = 10_000;
let channelRuns = 0;

/** POSTs over a keep-alive agent: `events.append` on livetrail (one event each), `/publish` on a floor. */
export function createPublisher(target: Target): Publisher {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const livetrail = isLivetrail(target.kind);

  function post(path: string, body: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${target.url}${path}`,
        { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve(text);
            else reject(new Error(`${path.split('?')[0]} answered ${status}: ${text.slice(0, 200)}`));
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(REQUEST_TIMEOUT_MS, () =>
        req.destroy(new Error(`${path} took over ${REQUEST_TIMEOUT_MS} ms`)),
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async function createSession(): Promise<string> {
    const text = await post('/trpc/sessions.create', JSON.stringify({ title: 'bench', agent: 'bench' }));
    return (JSON.parse(text) as { result: { data: { id: string } } }).result.data.id;
  }

  return {
    async createChannels(count) {
      if (!livetrail) {
        const run = ++channelRuns;
        return count === 1 ? [undefined] : Array.from({ length: count }, (_, i) => `c${run}-${i}`);
      }
      const ids: string[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(count, CREATE_CONCURRENCY) }, async () => {
          while (next < count) {
            next++;
            ids.push(await createSession());
          }
        }),
      );
      return ids;
    },
    async publish(channel, text) {
      const event = { type: 'assistant_message', text };
      if (livetrail)
        await post('/trpc/events.append', JSON.stringify({ sessionId: channel, events: [event] }));
      else
        await post(channel === undefined ? '/publish' : `/publish?channel=${channel}`, JSON.stringify(event));
    },
    close: () => agent.destroy(),
  };
}
