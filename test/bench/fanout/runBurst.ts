import { setTimeout as sleep } from 'node:timers/promises';
import { createDeliveryTracker } from './createDeliveryTracker.ts';
import { createPublisher } from './createPublisher.ts';
import type { BurstCommand, BurstResult, Target } from './fanoutProtocol.ts';
import { measureCpu, measureOwnCpu } from './measureCpu.ts';
import { openSubscribers } from './openSubscribers.ts';

/**
 * Measurement A: `subscribers` on one fresh channel, then `events` published as fast as the server
 * answers with `window` appends in flight; counts deliveries until all arrived or the cap (from the
 * first publish) — which also bounds publishing, so a server slow to answer appends ends partial.
 * deliveries/s = delivered / (last delivery − first publish).
 */
export async function runBurst(target: Target, cmd: BurstCommand): Promise<BurstResult> {
  const publisher = createPublisher(target);
  const tracker = createDeliveryTracker();
  const [channel] = await publisher.createChannels(1);
  const group = await openSubscribers(target, [channel], cmd.subscribers, tracker.received);
  try {
    const opened = group.stats().opened;
    const serverCpu = measureCpu(target.pid);
    const clientCpu = measureOwnCpu();
    const t0 = performance.now();
    const deadline = t0 + cmd.capMs;
    let next = 0;
    let accepted = 0;
    let publishErrors = 0;
    let firstPublishError: string | undefined;
    const publishing = Promise.all(
      Array.from({ length: cmd.window }, async () => {
        while (next < cmd.events && performance.now() < deadline) {
          next++;
          await publisher.publish(channel, tracker.eventText(performance.now())).then(
            () => {
              accepted++;
            },
            (err: Error) => {
              publishErrors++;
              firstPublishError ??= err.message;
            },
          );
        }
      }),
    );
    await Promise.race([publishing, sleep(cmd.capMs)]);
    // Every event asked for is expected except those the server refused: unpublished ones are missing.
    const expected = opened * (cmd.events - publishErrors);
    const complete = await tracker.waitFor(expected, deadline);
    const server = serverCpu();
    const client = clientCpu();
    const elapsedMs = (tracker.delivered > 0 ? tracker.lastAt : performance.now()) - t0;
    return {
      open: group.stats(),
      delivered: tracker.delivered,
      expected,
      elapsedMs,
      deliveriesPerSec: tracker.delivered / (elapsedMs / 1000),
      timedOut: !complete,
      events: cmd.events,
      capMs: cmd.capMs,
      published: accepted,
      publishErrors,
      ...(firstPublishError !== undefined && { firstPublishError }),
      serverCpu: server,
      clientCpu: client,
    };
  } finally {
    group.close();
    publisher.close();
  }
}
