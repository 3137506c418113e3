import { describe, expect, it } from 'vitest';
import {
  highlightCode,
  highlighterVersion,
  LANGUAGES,
  loadHighlighter,
} from '../../client/state/highlightCode.ts';

// Its own file, so the highlighter is not loaded yet when the first test runs.
describe('highlightCode before and after highlight.js has loaded', () => {
  it('shows escaped code with its language until the highlighter is in, then highlights it', async () => {
    expect(highlighterVersion()).toBe(0);
    const before = highlightCode('const a = "<b>";', 'ts');
    expect(before).toEqual({ html: 'const a = &quot;&lt;b&gt;&quot;;', language: 'ts' });
    await loadHighlighter();
    expect(highlighterVersion()).toBe(1);
    const after = highlightCode('const a = "<b>";', 'ts');
    expect(after.language).toBe('ts');
    expect(after.html).toContain('<span class="hljs-keyword">const</span>');
    expect(after.html).not.toContain('<b>');
    await loadHighlighter(); // once
    expect(highlighterVersion()).toBe(1);
  });

  it('knows, before loading, exactly the names and aliases the highlighter registers', async () => {
    const { hasLanguage } = await import('../../client/state/highlighter.ts');
    for (const name of LANGUAGES) expect(hasLanguage(name), name).toBe(true);
    // The other way round: every alias of every registered grammar is listed.
    const hljs = (await import('highlight.js/lib/core')).default;
    const registered = new Set<string>();
    for (const file of [
      'bash',
      'c',
      'cpp',
      'css',
      'diff',
      'go',
      'java',
      'javascript',
      'json',
      'markdown',
      'python',
      'rust',
      'shell',
      'sql',
      'typescript',
      'xml',
      'yaml',
    ]) {
      const grammar = (await import(`../../node_modules/highlight.js/lib/languages/${file}.js`)).default(
        hljs,
      );
      for (const alias of [file, ...(grammar.aliases ?? [])]) registered.add(alias.toLowerCase());
    }
    for (const alias of registered) expect(LANGUAGES.has(alias), alias).toBe(true);
    expect(highlightCode('x', 'made-up').language).toBeUndefined();
  });
});
