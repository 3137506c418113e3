import {
  type AgentEvent,
  type CompletionStatus,
  type LivetrailClient,
  type StreamMessageOptions,
  streamMessage,
} from '@livetrail/client';
import { TRPCClientError } from '@trpc/client';
import { callWithRetry } from './callWithRetry.ts';
import type { DemoScenario, DemoStep } from './demoScenarios.ts';
import { paceWords } from './paceWords.ts';
import { replyWaitMs } from './replyWaitMs.ts';
import { sleep } from './sleep.ts';
import { type Interrupted, watchUserMessages } from './watchUserMessages.ts';

/** Options of `playDemoSession`. */
export interface PlayDemoSessionOptions {
  api: LivetrailClient['api'];
  agent: string;
  scenario: DemoScenario;
  /** Pace multiplier. */
  speed: number;
  /** Aborting cancels the session (best effort) and rejects with the signal's reason. */
  signal: AbortSignal;
  log: (line: string) => void;
  /** How a session is named in log lines, e.g. its page's URL. @default the id */
  sessionUrl?: (sessionId: string) => string;
  /** How long a question waits for a reply. @default replyWaitMs(speed): 10 minutes / speed, at least 2 */
  replyWaitMs?: number;
}

/** Someone else completed the session, or the server forgot it (a memory store that restarted). */
class SessionGone extends Error {}

const STEP_FAILS = 0.3;
const RECOVERS = 0.6;
const ASKS = 0.6;

const quote = (text: string) => {
  const line = text.replace(/\s+/g, ' ').trim();
  return `“${line.length > 160 ? `${line.slice(0, 157)}…` : line}”`;
};

/**
 * Plays one scripted session against a livetrail server, at a pace a person can follow: creates it,
 * appends its trail (thinking, thoughts, costs, messages, tool calls and results, now and then a
 * failure or a question for a person), and completes it. Thoughts and replies are streamed word by
 * word with `streamMessage` (message_start, deltas, message_end) at a reading pace (see paceWords).
 * Logs one line at the start and one at the end. A person's Stop (`interrupt`) aborts whatever it is
 * doing at once — a pause, a streamed message (left open, so it shows as incomplete), a wait for a
 * reply — and completes the session as `cancelled`.
 */
export async function playDemoSession(opts: PlayDemoSessionOptions): Promise<void> {
  const { api, agent, scenario, speed, log } = opts;
  const name = opts.sessionUrl ?? ((id: string) => id);
  const started = Date.now();
  const session = await callWithRetry(
    (idempotencyKey) => api.sessions.create.mutate({ title: scenario.title, agent, idempotencyKey }),
    { signal: opts.signal, log },
  );
  const sessionId = session.id;
  log(`start  ${name(sessionId)}  “${scenario.title}”`);
  const inbox = watchUserMessages(api, sessionId);
  // Everything below stops when the demo shuts down or when a person presses Stop.
  const signal = AbortSignal.any([opts.signal, inbox.interrupted]);
  const retry = { signal, log };
  let llmCalls = 0;

  /** Calls the server, retrying while it is down; a finished or vanished session ends the play. */
  async function send(call: (idempotencyKey: string) => Promise<unknown>): Promise<void> {
    try {
      await callWithRetry(call, retry);
    } catch (err) {
      const code = err instanceof TRPCClientError ? (err.data as { code?: string } | null)?.code : undefined;
      if (code === 'CONFLICT' || code === 'NOT_FOUND') throw new SessionGone((err as Error).message);
      throw err;
    }
  }

  /** Appends at once. */
  async function append(...events: AgentEvent[]): Promise<void> {
    await send((idempotencyKey) => api.events.append.mutate({ sessionId, events, idempotencyKey }));
  }

  /** Appends after a human-watchable pause. */
  async function emit(...events: AgentEvent[]): Promise<void> {
    await sleep((400 + Math.random() * 2100) / speed, signal);
    await append(...events);
  }

  /**
   * After a pause, streams `text` word by word as one message. A try that fails for good (the server
   * stayed down past the client's own retries) leaves its partial message open — shown incomplete
   * once the session ends — and the retry streams the whole text again as a new message.
   */
  async function stream(role: StreamMessageOptions['role'], text: string): Promise<void> {
    await sleep((400 + Math.random() * 2100) / speed, signal);
    await send(() => streamMessage(api, { sessionId, role, signal }, paceWords(text, speed, signal)));
  }

  /** One LLM call: thinking, maybe a visible thought, then the message it produced and its cost. */
  async function think(thought: string | undefined, say: string): Promise<void> {
    await emit({ type: 'state', agentState: 'thinking', llmCallsInFlight: 1, toolCallsInFlight: 0 });
    if (thought) await stream('thought', thought);
    // Messages people sent while the agent was busy get acknowledged in its next reply.
    const notes = inbox.takeAll().map((text) => `You wrote ${quote(text)} — noted. `);
    const inputTokens = 1800 + llmCalls++ * 1400 + Math.round(Math.random() * 900);
    const outputTokens = 60 + Math.round(Math.random() * 640);
    const usd = Math.round(inputTokens * 3 + outputTokens * 15) / 1e6;
    await stream('assistant', notes.join('') + say);
    // The usage of a call is known once its last token is out.
    await append({ type: 'cost', usd, inputTokens, outputTokens });
  }

  /** One tool call and its result; returns whether the tool succeeded. */
  async function useTool(step: DemoStep, fail: boolean): Promise<boolean> {
    const callId = `call_${Math.random().toString(36).slice(2, 10)}`;
    await emit(
      { type: 'state', agentState: 'calling_tool', llmCallsInFlight: 0, toolCallsInFlight: 1 },
      { type: 'tool_call', callId, tool: step.tool, args: step.args },
    );
    const output = fail && step.failure ? step.failure.output : step.output;
    await emit({ type: 'tool_result', callId, tool: step.tool, ok: !fail, output });
    return !fail;
  }

  async function finish(status: CompletionStatus, summary: string): Promise<void> {
    await sleep((400 + Math.random() * 1000) / speed, signal);
    await send((idempotencyKey) =>
      api.sessions.complete.mutate({ sessionId, status, summary, idempotencyKey }),
    );
    const seconds = Math.round((Date.now() - started) / 1000);
    log(`end    ${name(sessionId)}  ${status} after ${seconds} s: ${summary}`);
  }

  async function play(): Promise<void> {
    for (const [i, step] of scenario.steps.entries()) {
      await think(step.thought, step.say);
      const fails = step.failure !== undefined && Math.random() < STEP_FAILS;
      if (!(await useTool(step, fails)) && step.failure) {
        await emit({ type: 'error', message: step.failure.error });
        if (Math.random() >= RECOVERS) {
          await think(undefined, `I can't get past this: ${step.failure.error}`);
          return finish('failed', scenario.failedSummary);
        }
        await think(
          'Work around it and try again.',
          `That failed: ${step.failure.error} Working around it and retrying.`,
        );
        await useTool(step, false);
      }

      const question = scenario.question;
      if (question?.afterStep === i && Math.random() < ASKS) {
        await think('This needs a decision from a person before I go on.', question.ask);
        await emit({
          type: 'state',
          agentState: 'waiting_for_user',
          llmCallsInFlight: 0,
          toolCallsInFlight: 0,
        });
        const waitMs = opts.replyWaitMs ?? replyWaitMs(speed);
        log(`wait   ${name(sessionId)}  for a reply (up to ${formatWait(waitMs)})`);
        const reply = await inbox.next(waitMs, signal);
        if (inbox.ended) throw new SessionGone('completed while waiting');
        if (reply === undefined) {
          return finish('cancelled', `No reply within ${formatWait(waitMs)} to: ${question.ask}`);
        }
        await think(`The user answered ${quote(reply)}.`, `You said ${quote(reply)}. ${question.onAnswer}`);
      }
    }
    await think('Everything checks out; wrap up.', scenario.done);
    await finish('succeeded', scenario.summary);
  }

  try {
    await play();
  } catch (err) {
    if (err instanceof SessionGone) {
      log(`end    ${name(sessionId)}  ended elsewhere (${err.message.split('\n')[0]})`);
      return;
    }
    const stop = inbox.interrupted.reason as Interrupted | undefined;
    if (stop && !opts.signal.aborted) {
      // A person pressed Stop: end as they asked, retrying while the server is down, unless it ended meanwhile.
      const summary = stop.reason ? `Stopped by a person: ${stop.reason}` : 'Stopped by a person.';
      const done = await callWithRetry(
        (idempotencyKey) =>
          api.sessions.complete.mutate({ sessionId, status: 'cancelled', summary, idempotencyKey }),
        { signal: opts.signal, log },
      ).then(
        () => 'cancelled: stopped by a person',
        (e: unknown) => `stopped by a person; not completed (${(e as Error).message.split('\n')[0]})`,
      );
      log(`end    ${name(sessionId)}  ${done}`);
      return;
    }
    if (opts.signal.aborted) await cancelQuickly(api, sessionId, log);
    throw err;
  } finally {
    inbox.close();
  }
}

/** `600 s` as `10 min`; under two minutes in seconds. */
function formatWait(ms: number): string {
  return ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

/** On shutdown, marks the open session cancelled so it does not look like it is still running. */
async function cancelQuickly(
  api: LivetrailClient['api'],
  sessionId: string,
  log: (line: string) => void,
): Promise<void> {
  const summary = 'Stopped: the demo agent was shut down.';
  const cancelled = api.sessions.complete.mutate({ sessionId, status: 'cancelled', summary }).then(
    () => true,
    () => false,
  );
  // The server may be shutting down too; do not hold up the exit for it.
  const timer = new AbortController();
  const timeout = sleep(2000, timer.signal).then(
    () => false,
    () => false,
  );
  const ok = await Promise.race([cancelled, timeout]);
  timer.abort();
  if (ok) log(`end    ${sessionId}  cancelled (agent stopped)`);
}
