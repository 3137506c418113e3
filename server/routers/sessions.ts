import { tracked } from '@trpc/server';
import { z } from 'zod';
import { completionStatusSchema } from '../../shared/agentEvent.ts';
import { LIMITS } from '../../shared/limits.ts';
import { sessionNotFound } from '../../shared/livetrailError.ts';
import {
  createSessionInputSchema,
  lastEventIdSchema,
  newestActivity,
  sessionIdSchema,
} from '../../shared/session.ts';
import { iterableToFollower } from '../hub/sink.ts';
import { streamSessionList } from '../hub/streamSessionList.ts';
import { actProcedure, produceProcedure, readProcedure, router, toSubscription } from '../trpc.ts';

/** Sessions: create, read, talk to, finish, and watch the list. */
export const sessionsRouter = router({
  create: produceProcedure
    .input(createSessionInputSchema)
    .mutation(({ ctx, input }) =>
      ctx.store.createSession({ title: input.title, agent: input.agent ?? 'agent' }),
    ),

  list: readProcedure.query(({ ctx }) => ctx.store.listSessions()),

  get: readProcedure.input(z.object({ sessionId: sessionIdSchema })).query(async ({ ctx, input }) => {
    const session = await ctx.store.getSession(input.sessionId);
    if (!session) throw sessionNotFound(input.sessionId);
    return session;
  }),

  sendMessage: actProcedure
    .input(z.object({ sessionId: sessionIdSchema, text: z.string().trim().min(1).max(LIMITS.textChars) }))
    .mutation(async ({ ctx, input }) => {
      const [event] = await ctx.store.append(input.sessionId, [{ type: 'user_message', text: input.text }]);
      return { seq: event!.seq };
    }),

  complete: produceProcedure
    .input(
      z.object({
        sessionId: sessionIdSchema,
        status: completionStatusSchema,
        summary: z.string().max(LIMITS.textChars).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const [event] = await ctx.store.append(input.sessionId, [
        {
          type: 'complete',
          status: input.status,
          ...(input.summary !== undefined && { summary: input.summary }),
        },
      ]);
      return { seq: event!.seq };
    }),

  onChange: readProcedure
    .input(z.object({ lastEventId: lastEventIdSchema }).optional())
    .subscription(function onChange(opts) {
      const { ctx, input } = opts;
      const follow = iterableToFollower((signal) =>
        streamSessionList({ ...ctx, lastEventId: input?.lastEventId, signal }),
      );
      return toSubscription(opts, follow, (message) => {
        // The id is the newest activity the client has seen, so a resume sends only what changed.
        const sessions = message.kind === 'upsert' ? [message.session] : message.sessions;
        const newest = newestActivity(sessions);
        return newest ? tracked(newest, message) : message;
      });
    }),
});
