import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/repoRoot.ts';

const THEME = join(REPO_ROOT, 'client/styles/theme.css');

/** Every `--name: light-dark(<light>, <dark>)` of theme.css. */
function themeColours(css: string): Map<string, { light: string; dark: string }> {
  const colours = new Map<string, { light: string; dark: string }>();
  for (const m of css.matchAll(
    /--([\w-]+):\s*light-dark\(\s*([^,()]+(?:\([^)]*\))?)\s*,\s*([^()]+?(?:\([^)]*\))?)\s*\)/g,
  )) {
    colours.set(m[1]!, { light: m[2]!.trim(), dark: m[3]!.trim() });
  }
  return colours;
}

/** WCAG 2 relative luminance of a `#rgb` / `#rrggbb` colour. */
function luminance(hex: string): number {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex);
  if (!m) throw new Error(`not a #rgb or #rrggbb colour: ${hex}`);
  const full = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join('') : m[1]!;
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = Number.parseInt(full.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio of two colours, 1 to 21. */
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const ANSI = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'].flatMap((n) => [
  n,
  `bright-${n}`,
]);

/** Text (first) on the backgrounds it is drawn on (second), by variable name. */
const TEXT_PAIRS: [string, string][] = [
  ...['bg', 'panel', 'grey-soft', 'accent-soft', 'code-bg', 'ok-soft', 'warn-soft', 'bad-soft'].map(
    (bg): [string, string] => ['text', bg],
  ),
  ...[
    'bg',
    'panel',
    'grey-soft',
    'accent-soft',
    'code-bg',
    'diff-hunk-bg',
    'warn-soft',
    'ok-soft',
    'bad-soft',
  ].map((bg): [string, string] => ['muted', bg]),
  ['accent', 'bg'],
  ['accent', 'panel'],
  ['accent', 'accent-soft'],
  ['on-accent', 'accent-strong'],
  ['ok', 'panel'],
  ['ok', 'ok-soft'],
  ['warn', 'panel'],
  ['warn', 'warn-soft'],
  ['warn-text', 'warn-soft'],
  ['bad', 'bg'],
  ['bad', 'panel'],
  ['bad', 'bad-soft'],
  ...['comment', 'keyword', 'title', 'constant', 'string', 'builtin', 'tag'].map((t): [string, string] => [
    `hl-${t}`,
    'code-bg',
  ]),
  ['hl-add', 'hl-add-bg'],
  ['hl-del', 'hl-del-bg'],
  ['diff-add', 'diff-add-bg'],
  ['diff-del', 'diff-del-bg'],
  ...['key', 'string', 'number', 'boolean'].flatMap((t): [string, string][] => [
    [`jt-${t}`, 'code-bg'],
    [`jt-${t}`, 'panel'],
  ]),
  ...ANSI.flatMap((n): [string, string][] => [
    [`ansi-${n}`, 'panel'],
    [`ansi-${n}`, 'code-bg'],
  ]),
  ...ANSI.filter((n) => n !== 'black' && n !== 'bright-white').map((n): [string, string] => [
    'text',
    `ansi-${n}-bg`,
  ]),
  ['ansi-black-bg-text', 'ansi-black-bg'],
  ['ansi-bright-white-bg-text', 'ansi-bright-white-bg'],
];

/** Things to see that are not text (the new-activity dot, the pending mark): WCAG asks 3:1. */
const UI_PAIRS: [string, string][] = [
  ['fresh', 'panel'],
  ['fresh', 'accent-soft'],
  ['pending', 'panel'],
];

function cssFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? cssFiles(join(dir, e.name)) : e.name.endsWith('.css') ? [join(dir, e.name)] : [],
  );
}

const colours = themeColours(readFileSync(THEME, 'utf8'));

describe('the theme', () => {
  it('defines its colours with light-dark()', () => {
    expect(colours.size).toBeGreaterThan(40);
    expect(colours.get('text')).toEqual({ light: '#1b1f24', dark: '#e6edf3' });
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`gives text at least 4.5:1 on its backgrounds in the ${theme} theme`, () => {
      const failing = TEXT_PAIRS.flatMap(([fg, bg]) => {
        const f = colours.get(fg)?.[theme];
        const b = colours.get(bg)?.[theme];
        if (!f || !b) return [`--${fg} on --${bg}: not defined`];
        const ratio = contrast(f, b);
        return ratio >= 4.5 ? [] : [`--${fg} ${f} on --${bg} ${b}: ${ratio.toFixed(2)}:1`];
      });
      expect(failing).toEqual([]);
    });

    it(`gives marks that are not text at least 3:1 in the ${theme} theme`, () => {
      for (const [fg, bg] of UI_PAIRS) {
        expect(
          contrast(colours.get(fg)![theme], colours.get(bg)![theme]),
          `--${fg} on --${bg}`,
        ).toBeGreaterThanOrEqual(3);
      }
    });
  }

  it('is the only place a colour is written: every other stylesheet uses its variables', () => {
    const literal = /#[0-9a-f]{3,8}\b|\b(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch)\(|:\s*(?:white|black)\s*;/gi;
    const found = cssFiles(join(REPO_ROOT, 'client'))
      .filter((f) => f !== THEME)
      .flatMap((f) => {
        const css = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
        return [...css.matchAll(literal)].map((m) => `${relative(REPO_ROOT, f)}: ${m[0]}`);
      });
    expect(found).toEqual([]);
  });

  it('defines every variable the stylesheets use', () => {
    const defined = new Set<string>();
    const files = cssFiles(join(REPO_ROOT, 'client'));
    for (const f of files)
      for (const m of readFileSync(f, 'utf8').matchAll(/(--[\w-]+)\s*:/g)) defined.add(m[1]!);
    const missing = files.flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/var\((--[\w-]+)\)/g)]
        .filter((m) => !defined.has(m[1]!))
        .map((m) => `${relative(REPO_ROOT, f)}: ${m[1]}`),
    );
    expect(missing).toEqual([]);
  });
});

describe('contrast', () => {
  it('follows WCAG: black on white is 21:1, a colour on itself 1:1', () => {
    expect(contrast('#000', '#fff')).toBeCloseTo(21, 5);
    expect(contrast('#ffffff', '#000000')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#777777')).toBe(1);
    expect(contrast('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
  });
});
