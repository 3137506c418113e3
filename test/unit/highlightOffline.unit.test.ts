import { describe, expect, it, vi } from 'vitest';

// The highlighter's chunk cannot be loaded (offline, or replaced by a redeploy).
let attempts = 0;
vi.mock('../../client/state/highlighter.ts', () => {
  attempts++;
  throw new Error('Failed to fetch dynamically imported module');
});

describe('highlightCode when highlight.js cannot be loaded', () => {
  it('keeps showing plain code, and tries again with the next code block', async () => {
    const { highlightCode, highlighterVersion, loadHighlighter } = await import(
      '../../client/state/highlightCode.ts'
    );
    expect(highlightCode('const a = 1', 'ts')).toEqual({ html: 'const a = 1', language: 'ts' });
    await loadHighlighter(); // settles without throwing
    expect(highlighterVersion()).toBe(0);
    expect(highlightCode('let b', 'ts').html).toBe('let b');
    await loadHighlighter();
    expect(attempts).toBeGreaterThanOrEqual(2);
  });
});
