import { cleanup, fireEvent, render } from '@solidjs/testing-library';
import { createSignal } from 'solid-js';
import { afterEach, describe, expect, it } from 'vitest';
import { ThoughtRow } from '../../client/components/ThoughtRow.tsx';
import type { EventOf } from '../../client/state/timelineRows.ts';

function thought(text: string): EventOf<'thought'> {
  return { type: 'thought', text, sessionId: 's1', seq: 1, ts: '2026-01-01T10:00:00.000Z' };
}

function show(text: string) {
  const { container } = render(() => <ThoughtRow event={thought(text)} />);
  const toggle = container.querySelector<HTMLButtonElement>('.thought-toggle')!;
  const body = () => container.querySelector<HTMLElement>('[data-part=thought-body]');
  return { container, toggle, body };
}

afterEach(cleanup);

describe('ThoughtRow', () => {
  it('is a one-line preview until clicked, then the text as markdown', () => {
    const { container, toggle, body } = show('**Check** the cache\n\n- stale?\n- `ttl` too short?');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(container.querySelector('.thought-preview')?.textContent).toBe(
      '**Check** the cache - stale? - `ttl` too short?',
    );
    expect(body()).toBeNull();
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(container.querySelector('.thought-preview')).toBeNull();
    expect(body()?.querySelector('strong')?.textContent).toBe('Check');
    expect([...body()!.querySelectorAll('li')].map((li) => li.textContent)).toEqual([
      'stale?',
      'ttl too short?',
    ]);
    expect(body()?.querySelector('li code')?.textContent).toBe('ttl');
    fireEvent.click(toggle);
    expect(body()).toBeNull();
  });

  it('keeps hostile text inert in the preview and the body', () => {
    const payload =
      '<svg onload="window.__pwned=1"></svg> <img src=x onerror=alert(1)> [x](javascript:alert(1)) **bold**';
    const { container, toggle, body } = show(payload);
    expect(container.querySelector('.thought-preview')?.textContent).toBe(payload);
    fireEvent.click(toggle);
    expect(body()?.querySelector('strong')?.textContent).toBe('bold');
    expect(container.querySelector('svg, img, script, a')).toBeNull();
    const handlers = [...container.querySelectorAll('*')].flatMap((el) =>
      [...el.attributes].filter((a) => a.name.startsWith('on')).map((a) => a.name),
    );
    expect(handlers).toEqual([]);
    expect(body()?.textContent).toContain('<svg onload="window.__pwned=1"></svg>');
  });

  it('isolates the preview and the body for bidi', () => {
    const { container, toggle, body } = show('\u202eevil thought');
    expect(container.querySelector('.thought-preview')?.getAttribute('dir')).toBe('auto');
    fireEvent.click(toggle);
    const p = body()!.querySelector('p')!;
    expect(p.closest('[dir=auto]')).not.toBeNull();
    expect(p.closest('[dir=auto]')?.contains(toggle)).toBe(false);
  });

  it('previews a huge thought from its start only, and folds its body', () => {
    const { container, toggle, body } = show(`${'word '.repeat(30)}${'B'.repeat(100_000)}`);
    const preview = container.querySelector('.thought-preview')!.textContent!;
    expect(preview.length).toBe(121);
    expect(preview.endsWith('…')).toBe(true);
    fireEvent.click(toggle);
    expect(body()!.textContent!.length).toBeLessThan(5_000);
    const fold = container.querySelector<HTMLButtonElement>('[data-testid=fold-toggle]')!;
    expect(fold.textContent).toContain('100,150 characters');
    fireEvent.click(fold);
    expect(body()!.textContent!.length).toBeGreaterThan(100_000);
  });

  it('shows a short thought whole, without an ellipsis', () => {
    const { container } = show('  just   this \n');
    expect(container.querySelector('.thought-preview')?.textContent).toBe('just this');
  });

  it('re-renders an open thought as it grows', () => {
    const [event, setEvent] = createSignal(thought('first idea'));
    const { container } = render(() => <ThoughtRow event={event()} />);
    fireEvent.click(container.querySelector('.thought-toggle')!);
    const first = container.querySelector('[data-part=thought-body] p');
    setEvent(thought('first idea\n\nsecond *idea*'));
    const paragraphs = container.querySelectorAll('[data-part=thought-body] p');
    expect([...paragraphs].map((p) => p.textContent)).toEqual(['first idea', 'second idea']);
    expect(paragraphs[0]).toBe(first);
    expect(container.querySelector('[data-part=thought-body] em')?.textContent).toBe('idea');
  });
});
