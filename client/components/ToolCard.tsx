import { type Accessor, Show } from 'solid-js';
import { createNow } from '../state/createNow.ts';
import { durationBetween, formatDuration, formatElapsed, parseTs } from '../state/formatDuration.ts';
import type { EventOf } from '../state/timelineRows.ts';
import { JsonBlock } from './JsonBlock.tsx';
import './ToolCard.css';

/** The state of a tool call: no result yet, succeeded, or failed. */
export type ToolStatus = 'pending' | 'ok' | 'failed';

/** How much of args and output shows before "Show all". */
export const ARGS_FOLD = { maxLines: 12, maxChars: 2000 } as const;
export const OUTPUT_FOLD = { maxLines: 30, maxChars: 5000 } as const;

/**
 * A tool call and its result in one card. Either side may be missing: a call still running has no
 * result (pending, with the time since the call, ticking), and a result whose call was never seen is
 * shown on its own. The head keeps the status visible however long the (ellipsized) tool name is.
 */
export function ToolCard(props: {
  call?: EventOf<'tool_call'>;
  result?: EventOf<'tool_result'>;
  /** The clock for "running · 12 s" (tests); a once-a-second clock by default, only while pending. */
  now?: Accessor<number>;
}) {
  const status = (): ToolStatus => (!props.result ? 'pending' : props.result.ok ? 'ok' : 'failed');
  const tool = () => props.call?.tool ?? props.result?.tool ?? '';
  const callId = () => props.call?.callId ?? props.result?.callId ?? '';
  const duration = () => durationBetween(props.call?.ts, props.result?.ts);
  return (
    <div class="tool" data-tool-status={status()}>
      <div class="tool-head">
        <span class="tool-kind">Tool</span>
        {/* Focusable so that keyboard users can read a long name in full (shown on focus, see ToolCard.css). */}
        <code class="tool-name" data-testid="tool-name" dir="auto" title={tool()} tabindex="0">
          {tool()}
        </code>
        <Show when={callId()}>
          <span class="tool-call-id" dir="auto" title={`call id: ${callId()}`}>
            {callId()}
          </span>
        </Show>
        <span class="tool-status" data-testid="tool-status" data-status={status()}>
          <Show
            when={status() === 'pending'}
            fallback={
              <>
                {status()}
                <Show when={duration() !== undefined}>{` · ${formatDuration(duration() ?? 0)}`}</Show>
              </>
            }
          >
            <Running since={parseTs(props.call?.ts)} now={props.now} />
          </Show>
        </span>
      </div>
      <Show when={props.call}>
        {(call) => <JsonBlock label="args" value={call().args} part="args" fold={ARGS_FOLD} />}
      </Show>
      <Show when={props.result}>
        {(result) => <JsonBlock label="output" value={result().output} part="output" fold={OUTPUT_FOLD} />}
      </Show>
    </div>
  );
}

/** "running · 12 s": time since the call, from a clock that exists only while the call is pending. */
function Running(props: { since: number | undefined; now?: Accessor<number> }) {
  const now = props.now ?? createNow();
  return (
    <Show when={props.since !== undefined} fallback="running…">
      {`running · ${formatElapsed(now() - (props.since ?? 0))}`}
    </Show>
  );
}
