import { Show } from 'solid-js';
import type { EventOf } from '../state/timelineRows.ts';
import { JsonBlock } from './JsonBlock.tsx';

/** The state of a tool call: no result yet, succeeded, or failed. */
export type ToolStatus = 'pending' | 'ok' | 'failed';

/**
 * A tool call and its result in one card. Either side may be missing: a call still running has no
 * result (pending), and a result whose call was never seen is shown on its own.
 */
export function ToolCard(props: { call?: EventOf<'tool_call'>; result?: EventOf<'tool_result'> }) {
  const status = (): ToolStatus => (!props.result ? 'pending' : props.result.ok ? 'ok' : 'failed');
  const tool = () => props.call?.tool ?? props.result?.tool ?? '';
  const callId = () => props.call?.callId ?? props.result?.callId ?? '';
  return (
    <div class="tool" data-tool-status={status()}>
      <div class="tool-head">
        <span class="tool-kind">Tool</span>
        <code class="tool-name">{tool()}</code>
        <span class="tool-call-id" title="call id">
          {callId()}
        </span>
        <span class="tool-status" data-testid="tool-status" data-status={status()}>
          {status() === 'pending' ? 'running…' : status()}
        </span>
      </div>
      <Show when={props.call}>{(call) => <JsonBlock label="args" value={call().args} part="args" />}</Show>
      <Show when={props.result}>
        {(result) => <JsonBlock label="output" value={result().output} part="output" />}
      </Show>
    </div>
  );
}
