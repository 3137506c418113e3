/**
 * Terminal output (tool stdout, errors) as text a page can show: colour codes (SGR) kept for ansi_up,
 * every other escape sequence (OSC window titles and hyperlinks, cursor moves, DCS…) and control
 * character dropped, and carriage-return overwrites (progress bars) reduced to what stayed on screen.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/**
 * One escape sequence or stray control character. CSI is `ESC [ params intermediates final`; OSC, DCS,
 * SOS, PM and APC strings end at BEL or ST, and here at a line break too, so a stray `ESC ]` cannot swallow
 * the rest of the output. Tab and line feed are not matched; ESC alone is.
 */
const SEQUENCE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal control sequences is the point.
  /\u001b\[([0-?]*)[ -/]*([@-~])|\u001b[\]P^_X][^\u0007\u001b\n]*(?:\u0007|\u001b\\)?|\u009b[0-?]*[ -/]*[@-~]?|[\u0090\u009d\u009e\u009f][^\u0007\u001b\n]*(?:\u0007|\u001b\\)?|\u001b[ -/]*[0-~]?|[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f-\u009f]/g;

const SGR_PARAMS = /^[0-9;]*$/;

/** Whether `text` holds any control character other than tab, line feed (so needs `cleanTerminalText`). */
export function hasControls(text: string): boolean {
  return CONTROL.test(text);
}

/** `text` with only SGR colour sequences left (see the module comment). Text without controls is returned as it is. */
export function cleanTerminalText(text: string): string {
  if (!hasControls(text)) return text;
  let out = text.includes('\r') ? resolveCarriageReturns(text) : text;
  out = out.replace(SEQUENCE, (seq, params: string | undefined, final: string | undefined) =>
    final === 'm' && params !== undefined && SGR_PARAMS.test(params) ? seq : '',
  );
  return out;
}

/** Whether (cleaned) text has colour codes for ansi_up to turn into colours. */
export function hasAnsi(text: string): boolean {
  return text.includes('\u001b[');
}

/** Plain text with every escape sequence and control character removed (previews, titles). */
export function stripTerminal(text: string): string {
  if (!hasControls(text)) return text;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing the SGR sequences that cleaning kept.
  return cleanTerminalText(text).replace(/\u001b\[[0-9;]*m/g, '');
}

/** `\r\n` is a line break; otherwise each line keeps what was written after its last carriage return. */
function resolveCarriageReturns(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (!line.includes('\r')) return line;
      const parts = line.split('\r').filter((part) => part !== '');
      return parts.at(-1) ?? '';
    })
    .join('\n');
}
