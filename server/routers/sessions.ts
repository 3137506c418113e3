import { tracked } from '@trpc/server';
import { z } from 'zod';
import { type AgentEvent, completionStatusSchema, INTERRUPT_REASON_CHARS } from '../../shared/agentEvent.ts';
import { idempotencyKeySchema } from '../../shared/idempotencyKeySchema.ts';
import { LIMITS } from '../../shared/limits.ts';
import { isLivetrailError, LivetrailError, sessionNotFound } from '../../shared/livetrailError.ts';
import {
  createSessionInputSchema,
  isFinished,
  lastEventIdSchema,
  newestActivity,
  sessionIdSchema,
} from '../../shared/session.ts';
import { listedSessions } from '../../shared/streamMessages.ts';
import type { Context } from '../context.ts';
import { requestKey } from '../domain/requestKey.ts';
import { decodeSessionCursor, encodeSessionCursor } from '../domain/sessionCursor.ts';
import { iterableToFollower } from '../hub/sink.ts';
import { streamSessionList } from '../hub/streamSessionList.ts';
import {
  actProcedure,
  manageProcedure,
  produceProcedure,
  readProcedure,
  router,
  toSubscription,
} from '../trpc.ts';

const idempotencyKey = idempotencyKeySchema.optional();

/** Appends one event, at most once per key when the caller sent one; answers its seq. */
async function appendOne(
  ctx: Context,
  sessionId: string,
  event: AgentEvent,
  inputKey: string | undefined,
): Promise<{ seq: number; duplicate: boolean }> {
  const key = requestKey(inputKey, ctx.idempotencyKeyHeader);
  if (key === undefined) {
    const [stored] = await ctx.store.append(sessionId, [event]);
    return { seq: stored!.seq, duplicate: false };
  }
  const { events, duplicate } = await ctx.store.appendOnce(sessionId, [event], key);
  return { seq: events[0]!.seq, duplicate };
}

/**
 * Stores a person's request to stop (`interrupt`). A session that has already ended is CONFLICT,
 * saying so; the store decides (its append refuses a finished session), so a race with the agent's
 * own `complete` is told apart from an idempotency key used for something else only afterwards.
 */
async function interruptSession(
  ctx: Context,
  input: { sessionId: string; reason?: string | undefined; idempotencyKey?: string | undefined },
): Promise<{ seq: number; duplicate: boolean }> {
  const event: AgentEvent = {
    type: 'interrupt',
    ...(input.reason !== undefined && { reason: input.reason }),
  };
  try {
    return await appendOne(ctx, input.sessionId, event, input.idempotencyKey);
  } catch (err) {
    if (!isLivetrailError(err) || err.code !== 'CONFLICT') throw err;
    const session = await ctx.store.getSession(input.sessionId);
    if (!session || !isFinished(session.status)) throw err;
    throw new LivetrailError(
      'CONFLICT',
      `session ${input.sessionId} has already ended (${session.status}); there is nothing to stop`,
    );
  }
}

/** Sessions: create, read, talk to, stop, finish, delete, and watch the list. */
export const sessionsRouter = router({
  create: produceProcedure
    .input(createSessionInputSchema.extend({ idempotencyKey }))
    .mutation(({ ctx, input }) => {
      const key = requestKey(input.idempotencyKey, ctx.idempotencyKeyHeader);
      return ctx.store.createSession({
        title: input.title,
        agent: input.agent ?? 'agent',
        ...(key !== undefined && { idempotencyKey: key }),
      });
    }),

  /** One page of the list, most recently active first; pass `nextCursor` back for the next. */
  list: readProcedure
    .input(
      z
        .object({
          cursor: z.string().max(512).optional(),
          limit: z.number().int().min(1).max(LIMITS.sessionPage).default(100),
        })
        .optional(),
    )
    .query(async ({ ctx, input }) => {
      const limit = input?.limit ?? 100;
      const after = input?.cursor === undefined ? undefined : decodeSessionCursor(input.cursor);
      // One extra tells whether there is a next page without a second round trip.
      const page = await ctx.store.listSessions({ limit: limit + 1, ...(after && { after }) });
      const sessions = page.slice(0, limit);
      const last = sessions.at(-1);
      return {
        sessions,
        ...(page.length > limit && last && { nextCursor: encodeSessionCursor(last) }),
      };
    }),

  get: readProcedure.input(z.object({ sessionId: sessionIdSchema })).query(async ({ ctx, input }) => {
    const session = await ctx.store.getSession(input.sessionId);
    if (!session) throw sessionNotFound(input.sessionId);
    return session;
  }),

  sendMessage: actProcedure
    .input(
      z.object({
        sessionId: sessionIdSchema,
        text: z.string().trim().min(1).max(LIMITS.textChars),
        idempotencyKey,
      }),
    )
    .mutation(({ ctx, input }) =>
      appendOne(ctx, input.sessionId, { type: 'user_message', text: input.text }, input.idempotencyKey),
    ),

  /**
   * A person asks the agent to stop: stores `{ type: 'interrupt', reason? }`. The session keeps
   * running until its agent completes it (as `cancelled`); `followSession`'s `onInterrupt` tells it.
   */
  interrupt: actProcedure
    .input(
      z.object({
        sessionId: sessionIdSchema,
        reason: z.string().trim().min(1).max(INTERRUPT_REASON_CHARS).optional(),
        idempotencyKey,
      }),
    )
    .mutation(({ ctx, input }) => interruptSession(ctx, input)),

  complete: produceProcedure
    .input(
      z.object({
        sessionId: sessionIdSchema,
        status: completionStatusSchema,
        summary: z.string().max(LIMITS.textChars).optional(),
        idempotencyKey,
      }),
    )
    .mutation(({ ctx, input }) =>
      appendOne(
        ctx,
        input.sessionId,
        {
          type: 'complete',
          status: input.status,
          ...(input.summary !== undefined && { summary: input.summary }),
        },
        input.idempotencyKey,
      ),
    ),

  /**
   * Deletes a session with its events and idempotency keys (admin only); its followers are told it
   * is gone. Repeating it changes nothing more: a second call is NOT_FOUND.
   */
  delete: manageProcedure.input(z.object({ sessionId: sessionIdSchema })).mutation(async ({ ctx, input }) => {
    if (!(await ctx.store.deleteSession(input.sessionId))) throw sessionNotFound(input.sessionId);
    return { deleted: true as const };
  }),

  onChange: readProcedure
    .input(z.object({ lastEventId: lastEventIdSchema }).optional())
    .subscription(function onChange(opts) {
      const { ctx, input } = opts;
      const follow = iterableToFollower((signal) =>
        streamSessionList({ ...ctx, lastEventId: input?.lastEventId, signal }),
      );
      return toSubscription(opts, follow, (message) => {
        // The id is the newest activity the client has seen, so a resume sends only what changed. A
        // remove carries no activity and no id: the client's position stays where it was.
        const newest = newestActivity(listedSessions(message));
        return newest ? tracked(newest, message) : message;
      });
    }),
});
