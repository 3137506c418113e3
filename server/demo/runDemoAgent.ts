import type { LivetrailClient } from '@livetrail/client';
import type { DemoScenario } from './demoScenarios.ts';
import { playDemoSession } from './playDemoSession.ts';
import { sleep } from './sleep.ts';

/** Options of `runDemoAgent`. */
export interface RunDemoAgentOptions {
  api: LivetrailClient['api'];
  /** Shown as the session's agent and in log lines. */
  name: string;
  /** Pace multiplier. */
  speed: number;
  /** Which script the next session plays, given the one this agent played last. */
  nextScenario: (previous?: DemoScenario) => DemoScenario;
  /** Sessions to play before returning; 0 means until aborted. */
  sessions: number;
  /** Aborting stops the agent: its open session is cancelled and the promise resolves. */
  signal: AbortSignal;
  log: (line: string) => void;
  /** How a session is named in log lines (its page's URL). @default the id */
  sessionUrl?: (sessionId: string) => string;
}

/**
 * One simulated agent: plays scripted sessions one after another with a pause in between. A session
 * that fails unexpectedly is logged and the agent moves on; only the signal stops it.
 */
export async function runDemoAgent(opts: RunDemoAgentOptions): Promise<void> {
  const { speed, signal, log } = opts;
  let scenario: DemoScenario | undefined;
  try {
    // Staggered starts keep several agents from moving in lockstep.
    await sleep((Math.random() * 4000) / speed, signal);
    for (let played = 0; opts.sessions === 0 || played < opts.sessions; played++) {
      if (played > 0) await sleep((3000 + Math.random() * 5000) / speed, signal);
      scenario = opts.nextScenario(scenario);
      try {
        const { api, sessionUrl } = opts;
        await playDemoSession({ api, agent: opts.name, scenario, speed, signal, log, sessionUrl });
      } catch (err) {
        if (signal.aborted) return;
        log(`session error: ${(err as Error).message.split('\n')[0]}`);
      }
    }
  } catch (err) {
    // Only the abortable sleeps reject here, and only once the signal has fired.
    if (!signal.aborted) throw err;
  }
}
