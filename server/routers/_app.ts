import { router } from '../trpc.ts';
import { eventsRouter } from './events.ts';
import { liveRouter } from './live.ts';
import { sessionsRouter } from './sessions.ts';

/** The whole API. Clients import only its type. */
export const appRouter = router({
  sessions: sessionsRouter,
  events: eventsRouter,
  live: liveRouter,
});

/** The API's type, from which every client is typed. */
export type AppRouter = typeof appRouter;
