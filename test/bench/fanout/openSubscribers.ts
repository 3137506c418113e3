import type { OpenStats, Target } from './fanoutProtocol.ts';
import { openSocketIoSubscriber } from './openSocketIoSubscriber.ts';
import { openSseSubscriber } from './openSseSubscriber.ts';
import { openWsSubscriber } from './openWsSubscriber.ts';
import type { Subscriber, SubscriberHooks } from './subscriber.ts';

const OPEN_TIMEOUT_MS = 15_000;
/** A group stops opening more batches after this long, so a slow server cannot blow the time budget. */
const GROUP_OPEN_BUDGET_MS = 40_000;

/** One subscriber of `target` on `channel` (a livetrail session id; undefined = a floor's broadcast). */
export function openSubscriber(
  target: Target,
  channel: string | undefined,
  hooks: SubscriberHooks,
): Subscriber {
  const query = channel === undefined ? '' : `?channel=${encodeURIComponent(channel)}`;
  const ws = target.url.replace(/^http/, 'ws');
  const session = channel ?? '';
  switch (target.kind) {
    case 'bare-sse':
      return openSseSubscriber(`${target.url}/sse${query}`, hooks, OPEN_TIMEOUT_MS);
    case 'bare-ws':
      return openWsSubscriber(`${ws}/${query}`, hooks, OPEN_TIMEOUT_MS);
    case 'socket.io':
      return openSocketIoSubscriber(target.url, channel, hooks, OPEN_TIMEOUT_MS);
    case 'trpc-sse': {
      const input = encodeURIComponent(JSON.stringify({ sessionId: session }));
      return openSseSubscriber(`${target.url}/trpc/events.onEvents?input=${input}`, hooks, OPEN_TIMEOUT_MS);
    }
    case 'trpc-ws': {
      const subscribe = JSON.stringify({
        id: 1,
        method: 'subscription',
        params: { path: 'events.onEvents', input: { sessionId: session } },
      });
      return openWsSubscriber(`${ws}/ws`, hooks, OPEN_TIMEOUT_MS, subscribe);
    }
    case 'plain-sse':
      return openSseSubscriber(
        `${target.url}/api/sessions/${encodeURIComponent(session)}/events/stream`,
        hooks,
        OPEN_TIMEOUT_MS,
      );
  }
}

/** Subscribers opened together, closed together. */
export interface SubscriberGroup {
  stats(): OpenStats;
  /** How many of the subscribers on `channel` opened. */
  openedOn(channel: string | undefined): number;
  close(): void;
}

/**
 * Opens `perChannel` subscribers on each of `channels`, `batch` at a time, waiting for each batch to
 * be established (ready, or failed) before the next, and no new batch after 40 s. Failures are
 * counted, not thrown: the measurements then expect deliveries only to the subscribers that opened.
 */
export async function openSubscribers(
  target: Target,
  channels: (string | undefined)[],
  perChannel: number,
  onMessage: SubscriberHooks['onMessage'],
  batch = 200,
): Promise<SubscriberGroup> {
  const started = performance.now();
  const subs: Subscriber[] = [];
  let opened = 0;
  let failed = 0;
  let dropped = 0;
  let firstError: string | undefined;
  const openedPerChannel = new Map<string | undefined, number>();
  const hooks: SubscriberHooks = {
    onMessage,
    onDrop: () => {
      dropped++;
    },
  };
  const wanted = channels.flatMap((c) => Array.from({ length: perChannel }, () => c));
  for (let i = 0; i < wanted.length && performance.now() - started < GROUP_OPEN_BUDGET_MS; i += batch) {
    const group = wanted.slice(i, i + batch).map((channel) => openSubscriber(target, channel, hooks));
    subs.push(...group);
    const outcomes = await Promise.allSettled(group.map((s) => s.ready));
    for (const [j, outcome] of outcomes.entries()) {
      if (outcome.status === 'fulfilled') {
        opened++;
        const channel = wanted[i + j];
        openedPerChannel.set(channel, (openedPerChannel.get(channel) ?? 0) + 1);
      } else {
        failed++;
        firstError ??= String((outcome.reason as Error)?.message ?? outcome.reason);
      }
    }
  }
  const openMs = performance.now() - started;
  return {
    stats: () => ({
      opened,
      failed,
      skipped: wanted.length - opened - failed,
      openMs,
      dropped,
      ...(firstError !== undefined && { firstError }),
    }),
    openedOn: (channel) => openedPerChannel.get(channel) ?? 0,
    close() {
      for (const s of subs) s.close();
    },
  };
}
