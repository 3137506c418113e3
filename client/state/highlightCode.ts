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

/** Longer code is shown escaped but not highlighted: highlighting cost grows with it and it is untrusted. */
export const MAX_HIGHLIGHT_CHARS = 20_000;
const MAX_CACHED = 200;

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

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

/** The fence's language, if we highlight it: a lower-case name or alias we registered. */
export function knownLanguage(lang: string): string | undefined {
  const name = lang.toLowerCase();
  return /^[a-z0-9+#._-]{1,30}$/.test(name) && hl.getLanguage(name) ? name : undefined;
}

// Highlighted HTML by language and code, so a message that grows re-highlights only the block that changed.
const cache = new Map<string, string>();

/**
 * `code` as HTML for the inside of `<code>`: highlighted spans (`<span class="hljs-…">`, text escaped by
 * highlight.js) when `lang` is one we registered and the code is not huge, otherwise escaped text.
 * Only the declared language is used: no auto-detection.
 */
export function highlightCode(code: string, lang: string): { html: string; language?: string } {
  const language = knownLanguage(lang);
  if (!language || code.length > MAX_HIGHLIGHT_CHARS) return { html: escapeHtml(code) };
  const key = `${language}\u0000${code}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return { html: hit, language };
  }
  let html: string;
  try {
    html = hl.highlight(code, { language, ignoreIllegals: true }).value;
  } catch {
    return { html: escapeHtml(code) };
  }
  cache.set(key, html);
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  return { html, language };
}
