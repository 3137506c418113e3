import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { AgentEvent } from '../../../shared/agentEvent.ts';
import { createLivetrailClient } from '../../../shared/createLivetrailClient.ts';
import { nodeTransports } from '../../../shared/nodeTransports.ts';

/** Wall-clock ms since the epoch with sub-ms precision; the page probes use the same clock. */
export const epochNow = () => performance.timeOrigin + performance.now();

/** The text of the `n`th delta (1-based) of a session: `w<n>` a paragraph break every 30. */
export function deltaText(n: number): string {
  return n % 30 === 0 ? `w${n}\n\n` : `w${n} `;
}

/** Options of `streamSessions`. */
export interface LiveStreamPlan {
  url: string;
  sessionIds: string[];
  /** Deltas per second per session. */
  perSecond: number;
  seconds: number;
  /** Deltas per message: the message ends and the next starts after this many. */
  messageDeltas: number;
}

/** When each delta of one session was sent, stored and answered (epoch ms), by n (1-based). */
export interface SessionTimes {
  sessionId: string;
  sentAt: number[];
  /** The append's response had ended at the producer. */
  storedAt: number[];
  /** The event's `ts` (the server's clock when the store accepted it, ms precision): `readStoredTs`. */
  tsAt: number[];
  /** Appends that failed (the delta is then missing from the trail). */
  failed: number;
}

/** Creates `n` sessions, each with a user message so a page opened on it shows a row. */
export async function createSessions(url: string, n: number, label: string): Promise<string[]> {
  const client = createLivetrailClient({ url, ...nodeTransports });
  try {
    return await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const { id } = await client.api.sessions.create.mutate({
          title: `${label} ${i + 1}`,
          agent: 'bench',
        });
        await client.api.events.append.mutate({
          sessionId: id,
          events: [{ type: 'user_message', text: `stream a reply (${label} ${i + 1})` }],
        });
        return id;
      }),
    );
  } finally {
    client.close();
  }
}

/**
 * POSTs one `events.append` (tRPC over plain HTTP, no batching) on a keep-alive agent, with the
 * idempotency key in the input as `streamMessage` sends it; resolves once the response has ended.
 */
function postAppend(url: URL, agent: Agent, input: unknown): Promise<void> {
  const body = JSON.stringify(input);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: '/trpc/events.append',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`append: ${res.statusCode} ${text}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * One producer per session (its own keep-alive connection, as separate agents would have), each
 * appending one `message_delta` per `events.append` every 1/perSecond s on a schedule (a late append
 * is followed at once by the next one due, never batched), staggered across sessions. Appends of a
 * session are sequential, so its deltas are stored in order. Each message of `messageDeltas` deltas
 * is opened with a `message_start` appended with its first delta, and closed with a `message_end`
 * after its last. Plain HTTP rather than the tRPC client: the client costs ~4× the CPU per append,
 * which on a small machine is taken from the server being measured.
 */
export async function streamSessions(plan: LiveStreamPlan): Promise<SessionTimes[]> {
  const period = 1000 / plan.perSecond;
  const total = Math.round(plan.perSecond * plan.seconds);
  const url = new URL(plan.url);
  const t0 = epochNow() + 50;
  const agents = plan.sessionIds.map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
  try {
    return await Promise.all(
      plan.sessionIds.map(async (sessionId, s) => {
        const agent = agents[s]!;
        const times: SessionTimes = { sessionId, sentAt: [], storedAt: [], tsAt: [], failed: 0 };
        const offset = (s * period) / plan.sessionIds.length;
        const key = `${sessionId}-${randomUUID()}`.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 100);
        const messageId = (n: number) => `s${s}-m${Math.floor((n - 1) / plan.messageDeltas)}`;
        const append = (events: AgentEvent[], n: string) =>
          postAppend(url, agent, { sessionId, events, idempotencyKey: `${key}-${n}` });
        for (let n = 1; n <= total; n++) {
          const wait = t0 + offset + (n - 1) * period - epochNow();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          const id = messageId(n);
          const delta: AgentEvent = { type: 'message_delta', messageId: id, text: deltaText(n) };
          const first = (n - 1) % plan.messageDeltas === 0;
          const last = n % plan.messageDeltas === 0 || n === total;
          times.sentAt[n] = epochNow();
          try {
            await append(
              first ? [{ type: 'message_start', messageId: id, role: 'assistant' }, delta] : [delta],
              `${n}`,
            );
            times.storedAt[n] = epochNow();
            if (last) await append([{ type: 'message_end', messageId: id }], `${n}e`);
          } catch {
            times.failed++;
          }
        }
        return times;
      }),
    );
  } finally {
    for (const agent of agents) agent.destroy();
  }
}

/** Fills each session's `tsAt` from its stored deltas (read back with `events.list`). */
export async function readStoredTs(url: string, times: SessionTimes[]): Promise<void> {
  const client = createLivetrailClient({ url, ...nodeTransports });
  try {
    for (const t of times) {
      for (let after = 0; ; ) {
        const page = await client.api.events.list.query({ sessionId: t.sessionId, after, limit: 1000 });
        for (const e of page.events) {
          if (e.type === 'message_delta') t.tsAt[Number(/\d+/.exec(e.text)![0])] = Date.parse(e.ts);
        }
        if (!page.hasMore) break;
        after = page.events.at(-1)!.seq;
      }
    }
  } finally {
    client.close();
  }
}
