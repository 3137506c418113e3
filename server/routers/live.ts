import { tracked } from '@trpc/server';
import { z } from 'zod';
import { lastEventIdSchema, sessionIdSchema } from '../../shared/session.ts';
import { formatFeedCursor } from '../../shared/streamMessages.ts';
import { iterableToFollower } from '../hub/sink.ts';
import { streamTabFeed } from '../hub/streamTabFeed.ts';
import { readProcedure, router, toSubscription } from '../trpc.ts';

/** The web app's single live connection per tab. */
export const liveRouter = router({
  onFeed: readProcedure
    .input(z.object({ sessionId: sessionIdSchema.nullish(), lastEventId: lastEventIdSchema }))
    .subscription(function onFeed(opts) {
      const { ctx, input } = opts;
      const follow = iterableToFollower((signal) =>
        streamTabFeed({ ...ctx, sessionId: input.sessionId, lastEventId: input.lastEventId, signal }),
      );
      return toSubscription(opts, follow, ({ cursor, message }) =>
        tracked(formatFeedCursor(cursor), message),
      );
    }),
});
