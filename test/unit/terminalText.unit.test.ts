import { describe, expect, it } from 'vitest';
import { previewValue } from '../../client/state/previewValue.ts';
import { cleanTerminalText, stripTerminal } from '../../client/state/terminalText.ts';

describe('cleanTerminalText', () => {
  it('returns text without controls as it is', () => {
    const text = 'tab\there\nnext line ✓ \u202Eok';
    expect(cleanTerminalText(text)).toBe(text);
  });

  it('keeps SGR colour sequences and drops every other sequence and control', () => {
    expect(cleanTerminalText('\u001b[1;32mok\u001b[0m')).toBe('\u001b[1;32mok\u001b[0m');
    expect(cleanTerminalText('\u001b]0;title\u0007a\u001b]2;t2\u001b\\b')).toBe('ab');
    expect(cleanTerminalText('\u001b[2J\u001b[H\u001b[?1049hx\u001b[38:2::1:2:3my')).toBe('xy');
    expect(cleanTerminalText('bell\u0007 bs\u0008 nul\u0000 del\u007f c1\u0085 esc\u001bc')).toBe(
      'bell bs nul del c1 esc',
    );
    expect(cleanTerminalText('\u001bPdcs data\u001b\\after')).toBe('after');
  });

  it('does not let an unterminated OSC swallow the following lines', () => {
    expect(cleanTerminalText('\u001b]0;no end\nline 2\nline 3')).toBe('\nline 2\nline 3');
  });

  it('keeps what stayed on screen after carriage returns', () => {
    expect(cleanTerminalText('10%\r50%\r100%\ndone\r\n')).toBe('100%\ndone\n');
  });
});

describe('stripTerminal', () => {
  it('removes colour codes too', () => {
    expect(stripTerminal('\u001b[31mred\u001b[0m \u001b]0;t\u0007x')).toBe('red x');
  });
});

describe('previewValue', () => {
  it('is compact JSON for values and the text itself for strings, cut at the limit', () => {
    expect(previewValue({ cmd: 'ls', n: [1, true, null] })).toBe('{"cmd":"ls","n":[1,true,null]}');
    expect(previewValue('line 1\n  line 2')).toBe('line 1 line 2');
    expect(previewValue('\u001b[32mgreen\u001b[0m')).toBe('green');
    expect(previewValue('x'.repeat(200), 10)).toBe(`${'x'.repeat(10)}…`);
  });

  it('stops early on a huge value', () => {
    const huge = Array.from({ length: 100_000 }, (_, i) => ({ i }));
    const preview = previewValue(huge, 40);
    expect(preview.length).toBe(41);
    expect(preview.startsWith('[{"i":0},{"i":1},')).toBe(true);
  });
});
