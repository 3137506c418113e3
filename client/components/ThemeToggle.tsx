import { For } from 'solid-js';
import { THEME_CHOICES, type ThemeChoice } from '../state/theme.ts';

/** The theme picker: follow the system, or always light, or always dark. */
export function ThemeToggle(props: { choice: ThemeChoice; onChange: (choice: ThemeChoice) => void }) {
  return (
    <select
      class="theme-toggle"
      data-testid="theme-toggle"
      aria-label="Theme"
      title="Theme"
      value={props.choice}
      onChange={(e) => props.onChange(e.currentTarget.value as ThemeChoice)}
    >
      <For each={THEME_CHOICES}>
        {(c) => (
          <option value={c.value} selected={c.value === props.choice}>
            {c.label}
          </option>
        )}
      </For>
    </select>
  );
}
