import { followTabFeed, type TabFeedOptions, type TrackedFeedMessage } from './followTabFeed.ts';
import { followerToGenerator } from './sink.ts';

export type { TrackedFeedMessage } from './followTabFeed.ts';

/** One tab's feed as an async generator: `followTabFeed` behind `followerToGenerator`. */
export function streamTabFeed(opts: TabFeedOptions): AsyncGenerator<TrackedFeedMessage> {
  return followerToGenerator((sink, signal) => followTabFeed({ ...opts, signal }, sink), opts.signal);
}
