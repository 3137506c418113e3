import { tracked } from '@trpc/server';
import { z } from 'zod';
import { sessionIdSchema } from '../../shared/session.ts';
import { formatFeedCursor } from '../../shared/streamMessages.ts';
import { streamTabFeed } from '../hub/streamTabFeed.ts';
import { procedure, router, toTRPCError } from '../trpc.ts';

/** The web app's single live connection per tab. */
export const liveRouter = router({
  onFeed: procedure
    .input(z.object({ sessionId: sessionIdSchema.nullish(), lastEventId: z.string().max(64).nullish() }))
    .subscription(async function* onFeed({ ctx, input, signal }) {
      try {
        const feed = streamTabFeed({
          ...ctx,
          sessionId: input.sessionId,
          lastEventId: input.lastEventId,
          signal,
        });
        for await (const { cursor, message } of feed) {
          await ctx.waitForCapacity?.(signal);
          yield tracked(formatFeedCursor(cursor), message);
        }
      } catch (err) {
        throw toTRPCError(err);
      }
    }),
});
