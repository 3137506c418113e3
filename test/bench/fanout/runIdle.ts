import { setTimeout as sleep } from 'node:timers/promises';
import { createDeliveryTracker } from './createDeliveryTracker.ts';
import { createPublisher } from './createPublisher.ts';
import type { IdleCommand, IdleResult, Target } from './fanoutProtocol.ts';
import { measureRss } from './measureRss.ts';
import { openSubscribers } from './openSubscribers.ts';

const WARM_UP_SUBSCRIBERS = 200;
const WARM_UP_EVENTS = 5;

/**
 * Measurement C: after a warm-up (a batch of subscribers that get a few events, then close), the
 * server's RSS; then `subscribers` idle subscribers on one fresh channel, opened `batch` at a time;
 * `settleMs` later, its RSS again. Nothing is forced (no GC): it is what the process holds.
 */
export async function runIdle(target: Target, cmd: IdleCommand): Promise<IdleResult> {
  const publisher = createPublisher(target);
  try {
    const warm = createDeliveryTracker();
    const [warmChannel] = await publisher.createChannels(1);
    const warmGroup = await openSubscribers(target, [warmChannel], WARM_UP_SUBSCRIBERS, warm.received);
    for (let i = 0; i < WARM_UP_EVENTS; i++)
      await publisher.publish(warmChannel, warm.eventText(performance.now()));
    await warm.waitFor(warmGroup.stats().opened * WARM_UP_EVENTS, performance.now() + 5000);
    warmGroup.close();
    await sleep(1000);

    const [channel] = await publisher.createChannels(1);
    const rssBeforeKb = measureRss(target.pid);
    const group = await openSubscribers(target, [channel], cmd.subscribers, () => {}, cmd.batch);
    await sleep(cmd.settleMs);
    const rssAfterKb = measureRss(target.pid);
    const open = group.stats();
    group.close();
    return {
      open,
      rssBeforeKb,
      rssAfterKb,
      bytesPerSubscriber: open.opened > 0 ? ((rssAfterKb - rssBeforeKb) * 1024) / open.opened : Number.NaN,
    };
  } finally {
    publisher.close();
  }
}
