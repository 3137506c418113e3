import { cleanup, fireEvent, render, screen } from '@solidjs/testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ThemeToggle } from '../../client/components/ThemeToggle.tsx';
import {
  applyThemeChoice,
  createThemeChoice,
  readThemeChoice,
  THEME_STORAGE_KEY,
} from '../../client/state/theme.ts';

function renderToggle() {
  return render(() => {
    const [choice, setChoice] = createThemeChoice();
    return <ThemeToggle choice={choice()} onChange={setChoice} />;
  });
}

const root = () => document.documentElement;

beforeEach(() => {
  localStorage.clear();
  root().removeAttribute('data-theme');
});
afterEach(cleanup);

describe('ThemeToggle', () => {
  it('follows the system until the person picks: no data-theme, "system" selected', () => {
    renderToggle();
    const toggle = screen.getByTestId('theme-toggle') as HTMLSelectElement;
    expect(toggle.value).toBe('system');
    expect([...toggle.options].map((o) => o.value)).toEqual(['system', 'light', 'dark']);
    expect(root().hasAttribute('data-theme')).toBe(false);
  });

  it('applies a pick at once and keeps it for the next visit', () => {
    renderToggle();
    fireEvent.change(screen.getByTestId('theme-toggle'), { target: { value: 'dark' } });
    expect(root().getAttribute('data-theme')).toBe('dark');
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark');
    cleanup();
    root().removeAttribute('data-theme');
    renderToggle();
    expect((screen.getByTestId('theme-toggle') as HTMLSelectElement).value).toBe('dark');
  });

  it('goes back to following the system', () => {
    renderToggle();
    fireEvent.change(screen.getByTestId('theme-toggle'), { target: { value: 'light' } });
    expect(root().getAttribute('data-theme')).toBe('light');
    fireEvent.change(screen.getByTestId('theme-toggle'), { target: { value: 'system' } });
    expect(root().hasAttribute('data-theme')).toBe(false);
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('system');
  });
});

describe('readThemeChoice and applyThemeChoice', () => {
  it('reads only light or dark as a pick; anything else follows the system', () => {
    expect(readThemeChoice('dark')).toBe('dark');
    expect(readThemeChoice('light')).toBe('light');
    expect(readThemeChoice('purple')).toBe('system');
    expect(readThemeChoice(null)).toBe('system');
  });

  it('reads the stored choice by default, as main.tsx does before the first render', () => {
    localStorage.setItem(THEME_STORAGE_KEY, 'dark');
    applyThemeChoice(readThemeChoice());
    expect(root().getAttribute('data-theme')).toBe('dark');
  });
});
