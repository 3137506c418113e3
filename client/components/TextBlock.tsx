import { createMemo, Show } from 'solid-js';
import { isUnifiedDiff } from '../state/detectDiff.ts';
import { cleanTerminalText, hasAnsi } from '../state/terminalText.ts';
import { AnsiText } from './AnsiText.tsx';
import { DiffBlock } from './DiffBlock.tsx';
import { FoldedText } from './FoldedText.tsx';
import './ToolCard.css';

/**
 * Untrusted text as a block with its real line breaks, folded when long: ANSI colours as colours, control
 * sequences dropped, and (variant `code`) a unified diff shown with +/- colours. `code` is monospace
 * (`<pre>`, tool output); `prose` is the app's text style (errors, summaries). Every line is isolated for
 * bidi, so a U+202E in the text cannot reorder anything around it.
 */
export function TextBlock(props: {
  text: string;
  variant?: 'code' | 'prose';
  maxLines?: number;
  maxChars?: number;
}) {
  const clean = createMemo(() => cleanTerminalText(props.text));
  const kind = createMemo(() =>
    hasAnsi(clean()) ? 'ansi' : props.variant !== 'prose' && isUnifiedDiff(clean()) ? 'diff' : 'plain',
  );
  const body = (visible: string) => (kind() === 'ansi' ? <AnsiText text={visible} /> : visible);
  return (
    <div class="text-block" data-kind={kind()}>
      <FoldedText text={clean()} maxLines={props.maxLines} maxChars={props.maxChars}>
        {(visible) => (
          <Show
            when={props.variant === 'prose'}
            fallback={
              <Show
                when={kind() === 'diff'}
                fallback={
                  <pre class="text-pre" dir="auto">
                    {body(visible)}
                  </pre>
                }
              >
                <DiffBlock text={visible} />
              </Show>
            }
          >
            <div class="text text-prose" dir="auto">
              {body(visible)}
            </div>
          </Show>
        )}
      </FoldedText>
    </div>
  );
}
