import { tracked } from '@trpc/server';
import { z } from 'zod';
import { lastEventIdSchema, sessionIdSchema } from '../../shared/session.ts';
import { formatFeedCursor } from '../../shared/streamMessages.ts';
import { followTabFeed, type TrackedFeedMessage } from '../hub/followTabFeed.ts';
import type { Follow } from '../hub/sink.ts';
import { readProcedure, router, toSubscription } from '../trpc.ts';

/** The web app's single live connection per tab. */
export const liveRouter = router({
  onFeed: readProcedure
    .input(
      z.object({
        sessionId: sessionIdSchema.nullish(),
        lastEventId: lastEventIdSchema,
        /** false: the trail's streamed messages as raw deltas, never compacted. @default true */
        compact: z.boolean().optional(),
        /** true: the trail's catch-up in `session_batch` messages of up to 256. @default false */
        batch: z.boolean().optional(),
      }),
    )
    .subscription(function onFeed(opts) {
      const { ctx, input } = opts;
      const follow: Follow<TrackedFeedMessage> = (sink, signal) =>
        followTabFeed(
          {
            ...ctx,
            sessionId: input.sessionId,
            lastEventId: input.lastEventId,
            signal,
            compact: input.compact,
            batch: input.batch,
          },
          sink,
        );
      return toSubscription(opts, follow, ({ cursor, message }) =>
        tracked(formatFeedCursor(cursor), message),
      );
    }),
});
