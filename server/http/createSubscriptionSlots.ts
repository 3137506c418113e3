import { LivetrailError } from '../../shared/livetrailError.ts';
import type { SubscriptionSlots } from '../context.ts';

/** One WebSocket's subscription cap: `acquire` throws RATE_LIMITED once `max` are open. */
export function createSubscriptionSlots(max: number): SubscriptionSlots {
  let open = 0;
  return {
    acquire() {
      if (open >= max) {
        throw new LivetrailError('RATE_LIMITED', `at most ${max} subscriptions at once on one WebSocket`);
      }
      open++;
    },
    release() {
      open = Math.max(0, open - 1);
    },
  };
}
