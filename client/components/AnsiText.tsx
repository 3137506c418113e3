import { AnsiUp } from 'ansi_up';
import { cleanTerminalText } from '../state/terminalText.ts';
import './ToolCard.css';

/**
 * Terminal text with its colour codes as HTML: `<span class="ansi-green-fg">…</span>`. Every other
 * escape sequence is dropped first (cleanTerminalText), so an OSC title change or a hyperlink shows nothing.
 */
export function ansiToHtml(text: string): string {
  // A fresh converter each time: ansi_up keeps colour state and half-read sequences between calls.
  const up = new AnsiUp();
  up.escape_html = true; // the default, stated: the text is escaped, so it cannot become markup
  up.use_classes = true; // the 16 colours as classes (ToolCard.css), not inline styles
  up.url_allowlist = {}; // no links from agent output (the OSC 8 sequences are removed before anyway)
  // A sequence cut off at the end (folded text) would otherwise wait for more input; drop it.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: an unfinished SGR sequence starts with ESC.
  return up.ansi_to_html(cleanTerminalText(text).replace(/\u001b\[[0-9;]*$/, ''));
}

/** Terminal output with ANSI colours shown as colours (inline; put it in a `<pre>` or `.text`). */
export function AnsiText(props: { text: string }) {
  // innerHTML is safe here only because ansi_up escapes & < > " ' of the text (escape_html) and emits
  // nothing but the <span class|style> wrappers it builds itself from SGR codes; links are off.
  return <span class="ansi" innerHTML={ansiToHtml(props.text)} />;
}
