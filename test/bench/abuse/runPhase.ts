import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AttackMode } from './attackOptions.ts';
import {
  createDeliveryTracker,
  type DeliverySummary,
  type DeliveryTracker,
} from './createDeliveryTracker.ts';
import { type HealthResult, probeHealth, waitUntilHealthy } from './probeHealth.ts';
import { spawnAttacker } from './spawnAttacker.ts';
import type { Follower } from './startFollower.ts';
import { startPublisher } from './startPublisher.ts';

const WARMUP_MS = 1_000;
const DRAIN_MS = 5_000;
const RECOVERY_LIMIT_MS = 20_000;

/** One phase of the bench: a name and, unless it is a baseline, the attack running during it. */
export interface PhaseSpec {
  name: string;
  attack?: { mode: AttackMode; source: string };
}

/** What one phase measured. */
export interface PhaseResult extends DeliverySummary {
  name: string;
  /** Follower drops (EventSource `error` events) during the phase. */
  followerErrors: number;
  health: HealthResult;
  /** The attacker's report, its crash, or `-` for a baseline. */
  outcome: string;
  /** How long after the attack `/healthz` took to answer fast again. */
  recovery: { healthy: boolean; ms: number };
}

/** Everything a phase needs from the bench. */
export interface PhaseContext {
  url: string;
  sessionId: string;
  tokens: { publisher: string; viewer: string; attacker: string };
  follower: Follower;
  phaseSeconds: number;
  /** Points the follower's receipts at this phase's tracker. */
  track(tracker: DeliveryTracker | undefined): void;
}

/**
 * Runs one phase: starts its attacker and waits until it is attacking, lets it run for a warm-up
 * second, then publishes for `phaseSeconds` while the follower and a /healthz probe measure; stops the
 * attacker, gives late events 5 s, and waits for the server to recover before the next phase.
 */
export async function runPhase(ctx: PhaseContext, spec: PhaseSpec): Promise<PhaseResult> {
  const tracker = createDeliveryTracker();
  ctx.track(tracker);
  const attacker =
    spec.attack &&
    spawnAttacker({
      mode: spec.attack.mode,
      url: ctx.url,
      token: ctx.tokens.attacker,
      // The attacker's own bound, well past the moment the bench stops it.
      seconds: ctx.phaseSeconds + 15,
      source: spec.attack.source,
      sessionId: ctx.sessionId,
    });
  let notReady = '';
  await attacker?.ready.catch((err: Error) => {
    notReady = err.message;
  });
  const errorsBefore = ctx.follower.errors;
  const health = probeHealth(ctx.url, ctx.tokens.viewer);
  await sleep(WARMUP_MS);
  const publisher = startPublisher({
    url: ctx.url,
    token: ctx.tokens.publisher,
    sessionId: ctx.sessionId,
    tag: spec.name,
    seconds: ctx.phaseSeconds,
    onSent: (text, at) => tracker.sent(text, at),
    onFailed: (reason) => tracker.failed(reason),
  });
  await publisher.scheduled;
  const measuredUntil = performance.now();
  const healthResult = await health.stop();
  const drained = (async () => {
    while (tracker.outstanding() > 0 && performance.now() - measuredUntil < DRAIN_MS) await sleep(50);
  })();
  const [stopped] = await Promise.all([attacker?.stop(), drained]);
  await publisher.stop();
  ctx.track(undefined);
  const recovery = await waitUntilHealthy(ctx.url, ctx.tokens.viewer, 100, RECOVERY_LIMIT_MS);
  await sleep(500);
  const outcome = !attacker
    ? '-'
    : [notReady && `not ready: ${notReady}`, stopped?.report?.outcome ?? stopped?.crashed]
        .filter(Boolean)
        .join('; ');
  return {
    name: spec.name,
    ...tracker.summary(),
    followerErrors: ctx.follower.errors - errorsBefore,
    health: healthResult,
    outcome,
    recovery,
  };
}
