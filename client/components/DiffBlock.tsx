import { For } from 'solid-js';
import { classifyDiff } from '../state/detectDiff.ts';
import './ToolCard.css';

/**
 * A unified diff, line by line: additions green, deletions red, hunk headers muted. Each line is a block
 * of its own (`data-diff` = add|del|context|hunk|file|meta|plain) isolated for bidi.
 */
export function DiffBlock(props: { text: string }) {
  return (
    <pre class="diff" data-testid="diff">
      <For each={classifyDiff(props.text)}>
        {(line) => (
          <span class={`diff-line diff-${line.kind}`} data-diff={line.kind} dir="auto">
            {line.text}
          </span>
        )}
      </For>
    </pre>
  );
}
