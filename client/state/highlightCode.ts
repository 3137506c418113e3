import { createSignal } from 'solid-js';

/** Longer code is shown escaped but not highlighted: highlighting cost grows with it and it is untrusted. */
export const MAX_HIGHLIGHT_CHARS = 20_000;
const MAX_CACHED = 200;

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

/**
 * Every name and alias the highlighter answers to (`highlighter.ts` registers the grammars), known
 * before it is loaded so a block gets its `language-…` class and its highlighting later.
 */
export const LANGUAGES: ReadonlySet<string> = new Set(
  'bash sh zsh c h cpp cc c++ h++ hpp hh hxx cxx css diff patch go golang java jsp javascript js jsx mjs cjs json jsonc json5 markdown md mkdown mkd python py gyp ipython rust rs shell console shellsession sql typescript ts tsx mts cts xml html xhtml rss atom xjb xsd xsl plist wsf svg yaml yml'.split(
    ' ',
  ),
);

/** The fence's language, if we highlight it: a lower-case name or alias we registered. */
export function knownLanguage(lang: string): string | undefined {
  const name = lang.toLowerCase();
  return LANGUAGES.has(name) ? name : undefined;
}

/**
 * highlight.js and its grammars (about a fifth of the app's script) are loaded the first time a code
 * block in a language we know is shown, not before the first paint. Until then the code is shown
 * escaped; `highlighterVersion()` changes once it has loaded, so views that read it render again.
 */
let highlighter: typeof import('./highlighter.ts') | undefined;
let loading: Promise<void> | undefined;
const [version, setVersion] = createSignal(0);
export const highlighterVersion = version;

/** Loads the highlighter (once it has worked); resolves when that attempt is over. */
export function loadHighlighter(): Promise<void> {
  loading ??= import('./highlighter.ts').then(
    (m) => {
      highlighter = m;
      setVersion((v) => v + 1);
    },
    () => {
      // Offline, or a chunk a redeploy replaced: code stays plain, and the next code block tries again.
      loading = undefined;
    },
  );
  return loading;
}

// Highlighted HTML by language and code, so a message that grows re-highlights only the block that changed.
const cache = new Map<string, string>();

/**
 * `code` as HTML for the inside of `<code>`: highlighted spans (`<span class="hljs-…">`, text escaped by
 * highlight.js) when `lang` is one we registered and the code is not huge, otherwise escaped text
 * (escaped too while the highlighter is still loading).
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
  if (!highlighter) {
    void loadHighlighter();
    return { html: escapeHtml(code), language };
  }
  let html: string;
  try {
    html = highlighter.highlight(code, language);
  } catch {
    return { html: escapeHtml(code) };
  }
  cache.set(key, html);
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  return { html, language };
}
