import type { HealthAnswer } from '../describeConnectionError.ts';

/**
 * One `GET /healthz` (same origin as the tRPC url, never cached, 2 s at most): `ready` on 2xx,
 * `not_ready` when the server answers otherwise (503 while its store is down, a 4xx from a proxy
 * that does not route it), `unreachable` on no answer or a 5xx a gateway gives for a server it
 * cannot reach (500, 502, 504).
 */
export async function askHealth(url: string): Promise<HealthAnswer> {
  try {
    const res = await fetch(`${url.replace(/\/+$/, '')}/healthz`, {
      signal: AbortSignal.timeout(2000),
      cache: 'no-store',
    });
    if (res.ok) return 'ready';
    return res.status < 500 || res.status === 503 ? 'not_ready' : 'unreachable';
  } catch {
    return 'unreachable';
  }
}

/** A health question from a yes/no one (is the server up?): yes is taken as `ready`. */
export function healthFromYesNo(
  up: (url: string) => Promise<boolean>,
): (url: string) => Promise<HealthAnswer> {
  return async (url) => ((await up(url)) ? 'ready' : 'unreachable');
}

/** Options of `createReachabilityProbe`. */
export interface ReachabilityProbeOptions {
  url: string;
  /** Pause between the end of one question and the next. */
  everyMs: number;
  /** Called once when the server answers `ready`; the probe then stops by itself. */
  onReady(): void;
  /** How to ask. @default askHealth */
  ask?: (url: string) => Promise<HealthAnswer>;
  /** Picks where in the first interval the first question falls. @default Math.random */
  random?: () => number;
}

/** A loop asking whether the server is back; `start` while it runs and `stop` while it does not are no-ops. */
export interface ReachabilityProbe {
  start(): void;
  stop(): void;
  /** Whether a loop is running (for tests and the shell's bookkeeping). */
  running(): boolean;
}

/**
 * While the server is down, asks it cheaply whether it is back — one `GET /healthz` every
 * `everyMs`, never two at once (the next question waits for the last answer) — and calls
 * `onReady` as soon as it answers 200. The first question comes at a random point of the first
 * interval: clients that lost the same server at the same moment then ask (and come back) spread
 * over a second, not all in one millisecond. An answer that arrives after `stop` is dropped.
 */
export function createReachabilityProbe(opts: ReachabilityProbeOptions): ReachabilityProbe {
  const ask = opts.ask ?? askHealth;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Bumped by every start and stop: an answer to an older loop's question is not news.
  let generation = 0;
  let active = false;

  function schedule(mine: number, ms = opts.everyMs): void {
    timer = setTimeout(() => {
      timer = undefined;
      const asked = ask(opts.url).catch((): HealthAnswer => 'unreachable');
      void asked.then((answer) => {
        if (mine !== generation) return;
        if (answer !== 'ready') return schedule(mine);
        active = false;
        opts.onReady();
      });
    }, ms);
  }

  return {
    start() {
      if (active) return;
      active = true;
      schedule(++generation, Math.round((opts.random ?? Math.random)() * opts.everyMs));
    },
    stop() {
      if (!active) return;
      active = false;
      generation++;
      clearTimeout(timer);
      timer = undefined;
    },
    running: () => active,
  };
}
