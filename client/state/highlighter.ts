import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

/**
 * highlight.js with the grammars we highlight, loaded on demand by `highlightCode.ts` (whose
 * LANGUAGES lists every name and alias registered here; a test checks the two agree).
 */

// A private instance: nobody else's registrations or configuration can change what we emit.
const hl = hljs.newInstance();
for (const [name, language] of Object.entries({
  bash,
  c,
  cpp,
  css,
  diff,
  go,
  java,
  javascript,
  json,
  markdown,
  python,
  rust,
  sql,
  typescript,
  xml,
  yaml,
})) {
  hl.registerLanguage(name, language);
}
// hljs's "shell" is a console session ($ prompts and their output); in a fence `shell` usually means a
// script, so it is bash here, and the session grammar answers to `console` / `shellsession`.
hl.registerLanguage('shellsession', shell);
hl.registerAliases(['shell', 'sh', 'zsh'], { languageName: 'bash' });
hl.registerAliases(['jsonc', 'json5'], { languageName: 'json' });

/** Whether `name` (lower case) is a registered language or alias. */
export function hasLanguage(name: string): boolean {
  return hl.getLanguage(name) !== undefined;
}

/** `code` highlighted as `language` (one we registered): spans, with the text escaped by highlight.js. */
export function highlight(code: string, language: string): string {
  return hl.highlight(code, { language, ignoreIllegals: true }).value;
}
