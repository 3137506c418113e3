import type { AgentEvent } from '@livetrail/client';
import { CODING_SCENARIOS } from './codingScenarios.ts';
import { OPS_SCENARIOS } from './opsScenarios.ts';

type ToolCall = Extract<AgentEvent, { type: 'tool_call' }>;

/** One think → speak → call-a-tool round of a scripted session. */
export interface DemoStep {
  thought: string;
  say: string;
  tool: string;
  args: ToolCall['args'];
  output: string;
  /** How this step goes wrong in some runs: the tool's error output and the `error` event's message. */
  failure?: { output: string; error: string };
}

/** A scripted session: what the agent does, what it may ask a person, and how it sums up. */
export interface DemoScenario {
  title: string;
  steps: DemoStep[];
  /** Asked after step `afterStep` (0-based) in some runs; the agent waits for a person's reply. */
  question?: { afterStep: number; ask: string; onAnswer: string };
  done: string;
  summary: string;
  /** Summary when a failed step is not recovered. */
  failedSummary: string;
}

/**
 * The demo's repertoire of realistic sessions. Text only: pacing, randomness and failures are decided
 * by the player, so the scripts read like transcripts.
 */
export const DEMO_SCENARIOS: DemoScenario[] = [...CODING_SCENARIOS, ...OPS_SCENARIOS];
