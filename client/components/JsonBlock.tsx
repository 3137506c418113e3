import { Show } from 'solid-js';
import { previewValue } from '../state/previewValue.ts';
import { CopyButton } from './CopyButton.tsx';
import type { FoldLimits } from './FoldedText.tsx';
import { JsonTree } from './JsonTree.tsx';
import { TextBlock } from './TextBlock.tsx';
import './ToolCard.css';
import { createRememberedToggle } from '../state/rowMemory.ts';

/** What a copy button copies: a string as it is, anything else as pretty JSON. */
export function rawText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value, null, 2) ?? String(value));
}

/**
 * A collapsible tool value (args or output) with a one-line preview; the body renders only when opened.
 * A string (typical: stdout) is one text block; anything else a JSON tree. `data-part` names the block.
 */
export function JsonBlock(props: {
  label: string;
  value: unknown;
  part: string;
  /** Folding of the text blocks inside. */
  fold?: FoldLimits;
}) {
  const { open, setOpen, Inside } = createRememberedToggle(false);
  return (
    <details
      class="json"
      data-part={props.part}
      open={open()}
      onToggle={(e) => setOpen(e.currentTarget.open)}
    >
      <summary>
        <span class="json-label">{props.label}</span>
        <Show when={!open()}>
          <code class="json-preview" dir="auto">
            {previewValue(props.value)}
          </code>
        </Show>
      </summary>
      <Show when={open()}>
        <Inside>
          <div class="json-body" data-testid="json-body">
            <div class="json-tools">
              <CopyButton text={() => rawText(props.value)} label={`Copy ${props.label}`} />
            </div>
            <Show
              when={typeof props.value === 'string'}
              fallback={<JsonTree value={props.value} fold={props.fold} />}
            >
              <TextBlock
                text={props.value as string}
                maxLines={props.fold?.maxLines}
                maxChars={props.fold?.maxChars}
              />
            </Show>
          </div>
        </Inside>
      </Show>
    </details>
  );
}
