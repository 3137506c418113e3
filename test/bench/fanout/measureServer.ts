import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchPlan } from './benchPlan.ts';
import type { BenchServer } from './benchServer.ts';
import type { BurstResult, IdleResult, PacedResult, ServerKind, Target } from './fanoutProtocol.ts';
import type { ServerRun } from './serverRun.ts';
import { type FanoutClient, spawnFanoutClient } from './spawnFanoutClient.ts';
import { startBenchServer } from './startBenchServer.ts';

/** Time a command may take beyond its own bounds: opening subscribers, creating sessions, closing. */
const COMMAND_SLACK_MS = 60_000;
/** A pause after each step, so that the server has let go of the last step's sockets. */
const SETTLE_MS = 500;

/**
 * Runs C, A, B and D on a fresh server process of `kind` with a fresh client process, in that order
 * (C first, so the RSS baseline is not inflated by garbage from the busy phases). A failed step is
 * noted and the next one runs with a new client; a dead server ends the row.
 */
export async function measureServer(
  kind: ServerKind,
  plan: BenchPlan,
  progress: (line: string) => void,
): Promise<ServerRun> {
  const started = performance.now();
  const run: ServerRun = {
    kind,
    bursts: [],
    paced: [],
    idleWanted: plan.idle.subscribers,
    errors: [],
    seconds: 0,
  };
  let server: BenchServer | undefined;
  let client: FanoutClient | undefined;
  try {
    server = await startBenchServer(kind);
    const target: Target = { kind, url: server.url, pid: server.pid };
    const step = async (name: string, body: (c: FanoutClient) => Promise<void>): Promise<boolean> => {
      if (!existsSync(`/proc/${target.pid}`)) return false;
      progress(`${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s ${kind}: ${name}…`);
      client ??= spawnFanoutClient(target);
      try {
        await body(client);
        await sleep(SETTLE_MS);
        return true;
      } catch (err) {
        run.errors.push(`${name}: ${(err as Error).message.split('\n')[0]}`);
        await client.kill();
        client = undefined;
        if (!existsSync(`/proc/${target.pid}`)) {
          run.errors.push(`server exited: ${server?.output().trim().slice(-300)}`);
        }
        return false;
      }
    };

    await step(`C ${plan.idle.subscribers} idle subscribers`, async (c) => {
      run.idle = await c.run<IdleResult>({ op: 'idle', ...plan.idle }, 2 * COMMAND_SLACK_MS);
    });
    await sleep(1000);
    const burstStart = performance.now();
    for (let rep = 1; rep <= plan.burst.reps; rep++) {
      if (rep > 1 && performance.now() - burstStart > plan.burst.budgetMs) break;
      let capped = false;
      const ok = await step(`A ${plan.subscribers} × ${plan.burst.events} burst #${rep}`, async (c) => {
        const r = await c.run<BurstResult>(
          {
            op: 'burst',
            subscribers: plan.subscribers,
            events: plan.burst.events,
            window: plan.burst.window,
            capMs: plan.burst.capMs,
          },
          plan.burst.capMs + COMMAND_SLACK_MS,
        );
        run.bursts.push(r);
        capped = r.timedOut;
      });
      // A run that hit its cap would only hit it again: the time is better spent on B–D.
      if (!ok || capped) break;
    }
    for (const rate of plan.rates) {
      await step(`B ${plan.subscribers} × ${rate}/s`, async (c) => {
        const result = await c.run<PacedResult>(
          {
            op: 'paced',
            channels: 1,
            perChannel: plan.subscribers,
            rate,
            seconds: plan.pacedSeconds,
            drainMs: plan.drainMs,
          },
          plan.pacedSeconds * 1000 + plan.drainMs + COMMAND_SLACK_MS,
        );
        run.paced.push({ rate, result });
      });
    }
    await step(`D ${plan.spread.sessions} sessions × 1/s`, async (c) => {
      run.spread = await c.run<PacedResult>(
        {
          op: 'paced',
          channels: plan.spread.sessions,
          perChannel: 1,
          rate: plan.spread.sessions,
          seconds: plan.spread.seconds,
          drainMs: plan.drainMs,
        },
        plan.spread.seconds * 1000 + plan.drainMs + COMMAND_SLACK_MS,
      );
    });
  } catch (err) {
    run.errors.push((err as Error).message.split('\n')[0] ?? 'failed');
  } finally {
    await client?.kill();
    await server?.stop();
    run.seconds = (performance.now() - started) / 1000;
  }
  return run;
}
