import { cleanup, fireEvent, render, screen } from '@solidjs/testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { CompletionBanner } from '../../client/components/CompletionBanner.tsx';
import { ErrorRow } from '../../client/components/ErrorRow.tsx';
import type { EventOf } from '../../client/state/timelineRows.ts';

const stored = { sessionId: 's1', seq: 1, ts: '2026-01-01T10:00:00.000Z' };
const error = (message: string): EventOf<'error'> => ({ type: 'error', message, ...stored });
const complete = (summary?: string): EventOf<'complete'> => ({
  type: 'complete',
  status: 'failed',
  summary,
  ...stored,
});

const XSS = '<img src=x onerror=alert(1)>';

afterEach(cleanup);

describe('ErrorRow', () => {
  it('shows the message under a visible Error label, and is not an ARIA alert', () => {
    const { container } = render(() => <ErrorRow event={error('disk full')} />);
    const row = container.querySelector('.error-row')!;
    expect(row.querySelector('.error-label')?.textContent).toBe('Error');
    expect(row.textContent).toBe('Errordisk full');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(container.querySelector('[role], [aria-live]')).toBeNull();
  });

  it('folds a long stack trace', () => {
    const trace = [
      'Error: boom',
      ...Array.from({ length: 200 }, (_, i) => `    at f${i} (x.ts:${i}:1)`),
    ].join('\n');
    const { container } = render(() => <ErrorRow event={error(trace)} />);
    const toggle = screen.getByTestId('fold-toggle');
    expect(toggle.textContent).toMatch(/^Show all \(201 lines, /);
    expect(container.querySelector('.text')!.textContent!.split('\n')).toHaveLength(12);
    fireEvent.click(toggle);
    expect(container.querySelector('.text')?.textContent).toBe(trace);
  });

  it('renders ANSI colours and keeps html as text', () => {
    const { container } = render(() => <ErrorRow event={error(`\u001b[31m${XSS}\u001b[0m`)} />);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('.ansi-red-fg')?.textContent).toBe(XSS);
    expect(container.textContent).not.toContain('\u001b');
  });

  it('isolates the message for bidi', () => {
    const { container } = render(() => <ErrorRow event={error('\u202Eevil')} />);
    expect(container.querySelector('.text')?.getAttribute('dir')).toBe('auto');
    expect(container.querySelector('.error-label')?.closest('[dir]')).toBeNull();
  });
});

describe('CompletionBanner', () => {
  it('keeps its test id and status, and folds a long summary', () => {
    const summary = 'x'.repeat(90_000);
    render(() => <CompletionBanner event={complete(summary)} />);
    const banner = screen.getByTestId('completion-banner');
    expect(banner.dataset.status).toBe('failed');
    expect(banner.querySelector('.completion-status')?.textContent).toBe('Session failed');
    expect(banner.querySelector('.text')?.textContent).toHaveLength(3000);
    fireEvent.click(screen.getByTestId('fold-toggle'));
    expect(banner.querySelector('.text')?.textContent).toBe(summary);
  });

  it('shows a summary as inert, bidi-isolated text', () => {
    render(() => <CompletionBanner event={complete(`${XSS}\u202E`)} />);
    const banner = screen.getByTestId('completion-banner');
    expect(banner.querySelector('img')).toBeNull();
    expect(banner.querySelector('.text')?.textContent).toBe(`${XSS}\u202E`);
    expect(banner.querySelector('.text')?.getAttribute('dir')).toBe('auto');
  });

  it('shows no summary block without a summary', () => {
    render(() => <CompletionBanner event={complete()} />);
    expect(screen.getByTestId('completion-banner').querySelector('.text')).toBeNull();
  });
});
