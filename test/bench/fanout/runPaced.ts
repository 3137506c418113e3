import { setTimeout as sleep } from 'node:timers/promises';
import { createDeliveryTracker } from './createDeliveryTracker.ts';
import { createPublisher } from './createPublisher.ts';
import type { PacedCommand, PacedResult, Target } from './fanoutProtocol.ts';
import { measureCpu, measureOwnCpu } from './measureCpu.ts';
import { openSubscribers } from './openSubscribers.ts';
import { percentile } from './percentile.ts';

/** Appends in flight past which the publisher waits rather than piling more onto a slow server. */
const MAX_IN_FLIGHT = 64;
/** Publishing stops this long after the window even if the schedule is not done (a slow server). */
const PUBLISH_OVERRUN_MS = 1_000;
/** A last publish this late against its schedule means the server did not keep up with appends. */
const LAG_BEHIND_MS = 250;
/** Latency growing this much from the first quarter of the window to the last means a backlog builds. */
const GROWTH_BEHIND = 3;
const GROWTH_FLOOR_MS = 100;
const P99_BEHIND_MS = 1_000;

const until = (deadline: number) => sleep(Math.max(0, deadline - performance.now()));

/**
 * Measurements B and D: `perChannel` subscribers on each of `channels` fresh channels, then
 * `rate` events/s in all for `seconds`, publish i at t0 + i/rate on channel i mod channels (so each
 * channel gets rate/channels events/s, spread evenly). Latency percentiles count every expected
 * delivery; one still missing `drainMs` after the last publish is "beyond the cutoff". Bounded:
 * publishing stops 1 s past the window, and nothing is awaited past the cutoff.
 */
export async function runPaced(target: Target, cmd: PacedCommand): Promise<PacedResult> {
  const publisher = createPublisher(target);
  const tracker = createDeliveryTracker();
  const channels = await publisher.createChannels(cmd.channels);
  const group = await openSubscribers(target, channels, cmd.perChannel, tracker.received);
  try {
    const scheduled = Math.round(cmd.rate * cmd.seconds);
    const due = (i: number) => t0 + (i * 1000) / cmd.rate;
    const inFlight = new Set<Promise<void>>();
    // Counted when sent, taken back if the server refuses: an append still in flight at the cutoff
    // is expected (its deliveries are missing, not excused).
    let expected = 0;
    let publishErrors = 0;
    let firstPublishError: string | undefined;
    const serverCpu = measureCpu(target.pid);
    const clientCpu = measureOwnCpu();
    const t0 = performance.now();
    const stopAt = due(scheduled) + PUBLISH_OVERRUN_MS;
    let sent = 0;
    let lastLag = 0;
    while (sent < scheduled && performance.now() < stopAt) {
      const now = performance.now();
      if (due(sent) > now) {
        await sleep(Math.max(1, due(sent) - now));
        continue;
      }
      if (inFlight.size >= MAX_IN_FLIGHT) {
        await Promise.race([...inFlight, until(stopAt)]);
        continue;
      }
      lastLag = now - due(sent);
      const channel = channels[sent % channels.length];
      const subscribers = group.openedOn(channel);
      expected += subscribers;
      const settled: Promise<void> = publisher
        .publish(channel, tracker.eventText(now))
        .catch((err: Error) => {
          expected -= subscribers;
          publishErrors++;
          firstPublishError ??= err.message;
        })
        .finally(() => inFlight.delete(settled));
      inFlight.add(settled);
      sent++;
    }
    const lastPublish = performance.now();
    if (sent < scheduled) lastLag = lastPublish - due(sent);
    const server = serverCpu();
    const client = clientCpu();
    const cutoff = lastPublish + cmd.drainMs;
    await Promise.race([Promise.all(inFlight), until(cutoff)]);
    await tracker.waitFor(expected, cutoff);
    const complete = tracker.delivered >= expected;
    const quarter = (lastPublish - t0) / 4;
    const earlyP50 = tracker.medianSentBetween(t0, t0 + quarter);
    const lateP50 = tracker.medianSentBetween(lastPublish - quarter, lastPublish);
    const sorted = tracker.latencies().sort((a, b) => a - b);
    // A delivery of an event whose append failed late is not expected; guard the total.
    const total = Math.max(expected, sorted.length);
    const p99 = percentile(sorted, 99, total);
    const behind = [
      !complete &&
        `${tracker.delivered}/${expected} deliveries (${((100 * tracker.delivered) / Math.max(1, expected)).toFixed(0)}%) by the cutoff`,
      sent < scheduled && `publisher sent only ${sent}/${scheduled} events (appends answered too slowly)`,
      lastLag > LAG_BEHIND_MS && `publisher ${(lastLag / 1000).toFixed(1)} s behind schedule at the end`,
      earlyP50 !== null &&
        lateP50 !== null &&
        lateP50 > GROWTH_FLOOR_MS &&
        lateP50 > GROWTH_BEHIND * earlyP50 &&
        `median latency grew from ${earlyP50.toFixed(0)} ms (first quarter) to ${lateP50.toFixed(0)} ms (last)`,
      p99 !== null && p99 > P99_BEHIND_MS && `p99 over ${P99_BEHIND_MS / 1000} s`,
    ].filter((r): r is string => typeof r === 'string');
    return {
      open: group.stats(),
      delivered: tracker.delivered,
      expected,
      p50: percentile(sorted, 50, total),
      p99,
      max: complete ? (sorted.at(-1) ?? null) : null,
      cutoffMs: cmd.drainMs,
      earlyP50,
      lateP50,
      publishLagMs: lastLag,
      sent,
      scheduled,
      publishErrors,
      ...(firstPublishError !== undefined && { firstPublishError }),
      serverCpu: server,
      clientCpu: client,
      behind,
    };
  } finally {
    group.close();
    publisher.close();
  }
}
