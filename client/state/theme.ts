import { type Accessor, createSignal } from 'solid-js';
import { safeStorage } from './safeStorage.ts';

/** The person's theme: follow the system (prefers-color-scheme), or always light, or always dark. */
export type ThemeChoice = 'system' | 'light' | 'dark';

/** The theme choices in the order the toggle offers them, with their labels. */
export const THEME_CHOICES: readonly { value: ThemeChoice; label: string }[] = [
  { value: 'system', label: 'System theme' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

/** Where the choice is kept. */
export const THEME_STORAGE_KEY = 'livetrail.theme';

/** The stored choice; 'system' when none (or something unknown) is stored. */
export function readThemeChoice(stored: string | null = safeStorage.get(THEME_STORAGE_KEY)): ThemeChoice {
  return stored === 'light' || stored === 'dark' ? stored : 'system';
}

/**
 * Applies `choice` to the page: `data-theme` on the root element, which the theme's CSS reads
 * (its colours follow prefers-color-scheme unless a choice overrides it). Called before the first
 * render too, so a stored choice is there from the first paint of the app.
 */
export function applyThemeChoice(choice: ThemeChoice, root: HTMLElement = document.documentElement): void {
  if (choice === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', choice);
}

/** The theme choice as a signal: setting it applies it and keeps it for the next visit. */
export function createThemeChoice(): [Accessor<ThemeChoice>, (choice: ThemeChoice) => void] {
  const [choice, setChoice] = createSignal(readThemeChoice());
  return [
    choice,
    (next) => {
      setChoice(next);
      applyThemeChoice(next);
      safeStorage.set(THEME_STORAGE_KEY, next);
    },
  ];
}
