import { tracked } from '@trpc/server';
import { z } from 'zod';
import { type AgentEvent, agentEventSchema } from '../../shared/agentEvent.ts';
import { idempotencyKeySchema } from '../../shared/idempotencyKeySchema.ts';
import { LIMITS } from '../../shared/limits.ts';
import { lastEventIdSchema, sessionIdSchema } from '../../shared/session.ts';
import { messagePosition } from '../../shared/streamMessages.ts';
import { requestKey } from '../domain/requestKey.ts';
import { followSessionEvents, type SessionStreamItem } from '../hub/followSessionEvents.ts';
import type { Follow } from '../hub/sink.ts';
import { produceProcedure, readProcedure, router, toSubscription } from '../trpc.ts';

/** `interrupt` is a person's action, not an agent's: it comes only through `sessions.interrupt`. */
function refuseInterrupt(event: AgentEvent, ctx: z.RefinementCtx): void {
  if (event.type !== 'interrupt') return;
  ctx.addIssue({
    code: 'custom',
    path: ['type'],
    message: "interrupt is a person's request to stop: send it with sessions.interrupt",
  });
}

/** Events: append a batch, page through stored ones, and stream a session's trail. */
export const eventsRouter = router({
  append: produceProcedure
    .input(
      z.object({
        sessionId: sessionIdSchema,
        events: z.array(agentEventSchema.superRefine(refuseInterrupt)).min(1).max(LIMITS.batchEvents),
        idempotencyKey: idempotencyKeySchema.optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const key = requestKey(input.idempotencyKey, ctx.idempotencyKeyHeader);
      if (key === undefined) {
        const stored = await ctx.store.append(input.sessionId, input.events);
        return { seqs: stored.map((e) => e.seq), duplicate: false };
      }
      const { events, duplicate } = await ctx.store.appendOnce(input.sessionId, input.events, key);
      return { seqs: events.map((e) => e.seq), duplicate };
    }),

  list: readProcedure
    .input(
      z.object({
        sessionId: sessionIdSchema,
        after: z.number().int().nonnegative().default(0),
        limit: z.number().int().min(1).max(1000).default(100),
      }),
    )
    .query(async ({ ctx, input }) => {
      // readEvents answers NOT_FOUND for an unknown session. One extra tells whether there is more without a second round trip.
      const page = await ctx.store.readEvents(input.sessionId, {
        after: input.after,
        limit: input.limit + 1,
      });
      return { events: page.slice(0, input.limit), hasMore: page.length > input.limit };
    }),

  onEvents: readProcedure
    .input(
      z.object({
        sessionId: sessionIdSchema,
        lastEventId: lastEventIdSchema,
        /** false: streamed messages as raw deltas, never compacted. @default true */
        compact: z.boolean().optional(),
      }),
    )
    .subscription(function onEvents(opts) {
      const { ctx, input } = opts;
      const follow: Follow<SessionStreamItem> = (sink, signal) =>
        followSessionEvents(
          {
            ...ctx,
            sessionId: input.sessionId,
            lastEventId: input.lastEventId,
            compact: input.compact,
            signal,
          },
          sink,
        );
      return toSubscription(opts, follow, (m) => {
        if (m.kind === 'head') return undefined;
        return m.kind === 'event' ? tracked(messagePosition(m), m) : m;
      });
    }),
});
