import { tracked } from '@trpc/server';
import { z } from 'zod';
import { lastEventIdSchema, sessionIdSchema } from '../../shared/session.ts';
import { formatFeedCursor } from '../../shared/streamMessages.ts';
import { streamTabFeed } from '../hub/streamTabFeed.ts';
import { readProcedure, router, toSubscription } from '../trpc.ts';

/** The web app's single live connection per tab. */
export const liveRouter = router({
  onFeed: readProcedure
    .input(z.object({ sessionId: sessionIdSchema.nullish(), lastEventId: lastEventIdSchema }))
    .subscription(function onFeed(opts) {
      const { ctx, input, signal } = opts;
      const feed = streamTabFeed({
        ...ctx,
        sessionId: input.sessionId,
        lastEventId: input.lastEventId,
        signal,
      });
      return toSubscription(opts, feed, ({ cursor, message }) => tracked(formatFeedCursor(cursor), message));
    }),
});
