import { createSignal, For, type JSX, Show } from 'solid-js';
import { hasControls } from '../state/terminalText.ts';
import { AnsiText } from './AnsiText.tsx';
import type { FoldLimits } from './FoldedText.tsx';
import { TextBlock } from './TextBlock.tsx';
import './ToolCard.css';
import { createRememberedToggle } from '../state/rowMemory.ts';

/** Containers nested deeper than this start collapsed (the root is depth 0, its children 1…). */
export const OPEN_DEPTH = 3;
/** Containers with more entries than this start collapsed. */
export const OPEN_ENTRIES = 50;
/** Entries rendered at once; "Show more" adds as many again, so a 100 000-item array cannot freeze the page. */
export const ENTRY_PAGE = 100;
/** Strings longer than this (or with a line break) are text blocks, not inline. */
export const INLINE_CHARS = 160;

type Entry = readonly [key: string, value: unknown];

/** A container's size, and its first entries made on demand (the same tuples each time, so `For` keeps rows). */
interface Container {
  isArray: boolean;
  size: number;
  page(n: number): Entry[];
}

function containerOf(value: object): Container {
  const isArray = Array.isArray(value);
  const keys = isArray ? undefined : Object.keys(value);
  const size = isArray ? value.length : (keys?.length ?? 0);
  const made: Entry[] = [];
  return {
    isArray,
    size,
    page(n) {
      for (let i = made.length; i < Math.min(n, size); i++) {
        const key = keys ? keys[i]! : String(i);
        made.push([key, (value as Record<string, unknown>)[key]]);
      }
      return made.slice(0, n);
    },
  };
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

/** Whether a string is shown as a text block (line breaks kept, folded) rather than inline. */
export function isBlockString(s: string): boolean {
  return s.length > INLINE_CHARS || s.includes('\n') || s.includes('\r');
}

/**
 * A JSON value as a tree: keys and values, strings with line breaks as text blocks with real line
 * breaks, numbers/booleans/null coloured, deep or large containers collapsed with a count. Every key and
 * string is isolated for bidi (`dir="auto"`). Values are rendered as text, never as HTML (ANSI colours go
 * through ansi_up, which escapes).
 */
export function JsonTree(props: { value: unknown; fold?: FoldLimits }) {
  return <div class="jt">{rootOf(props.value, props.fold ?? {})}</div>;
}

function rootOf(value: unknown, fold: FoldLimits): JSX.Element {
  if (value !== null && typeof value === 'object') {
    const container = containerOf(value);
    if (container.size === 0) return leaf(value, fold);
    return <Entries container={container} depth={0} fold={fold} />;
  }
  return leaf(value, fold);
}

function leaf(value: unknown, fold: FoldLimits): JSX.Element {
  if (value === null) return <span class="jt-null">null</span>;
  switch (typeof value) {
    case 'string':
      return isBlockString(value) ? (
        <TextBlock text={value} maxLines={fold.maxLines} maxChars={fold.maxChars} />
      ) : (
        <span class="jt-string" data-testid="jt-string">
          <span class="jt-string-text" dir="auto">
            {hasControls(value) ? <AnsiText text={value} /> : value}
          </span>
        </span>
      );
    case 'number':
      return <span class="jt-number">{String(value)}</span>;
    case 'boolean':
      return <span class="jt-boolean">{String(value)}</span>;
    case 'object':
      return <span class="jt-empty">{Array.isArray(value) ? '[]' : '{}'}</span>;
    default:
      return <span class="jt-other">{String(value)}</span>;
  }
}

function Entries(props: { container: Container; depth: number; fold: FoldLimits }) {
  const [shown, setShown] = createSignal(ENTRY_PAGE);
  const rest = () => props.container.size - shown();
  return (
    <>
      <ul class="jt-entries">
        <For each={props.container.page(shown())}>
          {([key, value]) => (
            <li class="jt-entry">
              <Node
                name={key}
                isIndex={props.container.isArray}
                value={value}
                depth={props.depth + 1}
                fold={props.fold}
              />
            </li>
          )}
        </For>
      </ul>
      <Show when={rest() > 0}>
        <button type="button" class="jt-more" onClick={() => setShown((n) => n + ENTRY_PAGE)}>
          Show {Math.min(ENTRY_PAGE, rest()).toLocaleString('en')} more ({count(rest(), 'entry', 'entries')}{' '}
          hidden)
        </button>
      </Show>
    </>
  );
}

function Key(props: { name: string; isIndex: boolean }) {
  return (
    <>
      <span class="jt-key" classList={{ 'jt-index': props.isIndex }} dir="auto">
        {props.name}
      </span>
      <span class="jt-colon">: </span>
    </>
  );
}

/** One entry: `key: value`, or a collapsible container whose summary is `key: {3 keys}`. */
function Node(props: { name: string; isIndex: boolean; value: unknown; depth: number; fold: FoldLimits }) {
  const value = props.value;
  if (value === null || typeof value !== 'object') {
    const block = typeof value === 'string' && isBlockString(value);
    return (
      <div class="jt-leaf" classList={{ 'jt-leaf-block': block }}>
        <Key name={props.name} isIndex={props.isIndex} />
        {leaf(value, props.fold)}
      </div>
    );
  }
  const container = containerOf(value);
  const isArray = container.isArray;
  if (container.size === 0) {
    return (
      <div class="jt-leaf">
        <Key name={props.name} isIndex={props.isIndex} />
        {leaf(value, props.fold)}
      </div>
    );
  }
  const { open, setOpen, Inside } = createRememberedToggle(
    props.depth <= OPEN_DEPTH && container.size <= OPEN_ENTRIES,
  );
  return (
    <details class="jt-branch" open={open()} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary class="jt-summary">
        <Key name={props.name} isIndex={props.isIndex} />
        <span class="jt-count" data-testid="jt-count">
          {isArray ? '[' : '{'}
          {count(container.size, isArray ? 'item' : 'key')}
          {isArray ? ']' : '}'}
        </span>
      </summary>
      <Show when={open()}>
        <Inside>
          <Entries container={container} depth={props.depth} fold={props.fold} />
        </Inside>
      </Show>
    </details>
  );
}
