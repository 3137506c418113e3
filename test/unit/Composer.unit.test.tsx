import { cleanup, fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Composer } from '../../client/components/Composer.tsx';

afterEach(cleanup);

function input() {
  return screen.getByTestId('composer-input') as HTMLTextAreaElement;
}

describe('Composer', () => {
  it('sends on enter and clears the box, without sending on shift+enter', async () => {
    const onSend = vi.fn(async () => ({ seq: 1 }));
    render(() => <Composer onSend={onSend} />);
    fireEvent.input(input(), { target: { value: 'hello agent' } });
    fireEvent.keyDown(input(), { key: 'Enter', shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.keyDown(input(), { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith('hello agent');
    await waitFor(() => expect(input().value).toBe(''));
  });

  it('shows why sending failed and keeps the text', async () => {
    render(() => <Composer onSend={() => Promise.reject(new Error('session is finished'))} />);
    fireEvent.input(input(), { target: { value: 'are you there?' } });
    fireEvent.click(screen.getByTestId('composer-send'));
    await waitFor(() =>
      expect(screen.getByTestId('composer-error').textContent).toContain('session is finished'),
    );
    expect(input().value).toBe('are you there?');
  });

  it('says which role may send when the server forbids this token to send', async () => {
    const forbidden = Object.assign(new Error('role agent may not act'), { data: { code: 'FORBIDDEN' } });
    render(() => <Composer onSend={() => Promise.reject(forbidden)} />);
    fireEvent.input(input(), { target: { value: 'hi' } });
    fireEvent.click(screen.getByTestId('composer-send'));
    await waitFor(() =>
      expect(screen.getByTestId('composer-error').textContent).toBe(
        'Not sent: your token may not send messages (viewer or admin role needed)',
      ),
    );
  });

  it('is disabled with an explanation', () => {
    render(() => <Composer onSend={async () => undefined} disabledReason="This session has ended." />);
    expect(input().disabled).toBe(true);
    expect((screen.getByTestId('composer-send') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText('This session has ended.')).toBeTruthy();
  });
});
