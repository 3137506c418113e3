import { cleanup, fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { createRoot, createSignal } from 'solid-js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NotifyToggle } from '../../client/components/NotifyToggle.tsx';
import { createNotifySetting, NOTIFY_STORAGE_KEY } from '../../client/state/createNotifySetting.ts';
import { createTabTitle } from '../../client/state/createTabTitle.ts';
import { createWaitingNotifier } from '../../client/state/createWaitingNotifier.ts';
import { initialSession } from '../../shared/reduceSession.ts';
import type { Session, SessionStatus } from '../../shared/session.ts';

function session(id: string, status: SessionStatus = 'running'): Session {
  return {
    ...initialSession({ id, title: `T ${id}`, agent: 'coder', createdAt: '2026-01-01T00:00:00Z' }),
    status,
  };
}

/** A stand-in for the browser's Notification API with the permission given. */
function fakeApi(permission: NotificationPermission, answer: NotificationPermission = permission) {
  const api = {
    permission,
    requestPermission: vi.fn(async () => {
      api.permission = answer;
      return answer;
    }),
  };
  return api as unknown as typeof Notification & { requestPermission: ReturnType<typeof vi.fn> };
}

function startNotifier(opts: { enabled?: boolean; focused?: boolean; selectedId?: string } = {}) {
  const [sessions, setSessions] = createSignal<Session[]>([]);
  const [loaded, setLoaded] = createSignal(false);
  const [selectedId, setSelectedId] = createSignal(opts.selectedId);
  const shown: { title: string; tag?: string; click: () => void }[] = [];
  const onOpen = vi.fn();
  const dispose = createRoot((dispose) => {
    createWaitingNotifier({
      sessions,
      loaded,
      enabled: () => opts.enabled ?? true,
      selectedId,
      onOpen,
      hasFocus: () => opts.focused ?? false,
      show: (title, options) => {
        const n = { onclick: null as (() => void) | null };
        shown.push({ title, tag: options.tag, click: () => n.onclick?.() });
        return n;
      },
    });
    return dispose;
  });
  return { setSessions, setLoaded, setSelectedId, shown, onOpen, dispose };
}

/** The switch, made once (a call inside the JSX prop would make a new one on every read). */
function renderToggle(api: typeof Notification | undefined) {
  return render(() => {
    const setting = createNotifySetting(api);
    return <NotifyToggle setting={setting} />;
  });
}

beforeEach(() => localStorage.clear());
afterEach(cleanup);

describe('createWaitingNotifier', () => {
  it('notifies when a session starts waiting, not for those already waiting at load', () => {
    const n = startNotifier();
    n.setSessions([session('a', 'waiting_for_user'), session('b')]);
    n.setLoaded(true);
    expect(n.shown).toEqual([]);
    n.setSessions([session('a', 'waiting_for_user'), session('b', 'waiting_for_user')]);
    expect(n.shown.map((s) => [s.title, s.tag])).toEqual([['T b is waiting for you', 'b']]);
    n.setSessions([session('a', 'waiting_for_user'), session('b', 'waiting_for_user')]);
    expect(n.shown).toHaveLength(1);
    n.shown[0]!.click();
    expect(n.onOpen).toHaveBeenCalledWith('b');
    n.dispose();
  });

  it('stays quiet while switched off', () => {
    const n = startNotifier({ enabled: false });
    n.setLoaded(true);
    n.setSessions([session('a')]);
    n.setSessions([session('a', 'waiting_for_user')]);
    expect(n.shown).toEqual([]);
    n.dispose();
  });

  it('never notifies for the session open in a focused tab, but does in a background one', () => {
    const focused = startNotifier({ focused: true, selectedId: 'a' });
    focused.setLoaded(true);
    focused.setSessions([session('a'), session('b')]);
    focused.setSessions([session('a', 'waiting_for_user'), session('b', 'waiting_for_user')]);
    expect(focused.shown.map((s) => s.tag)).toEqual(['b']);
    focused.dispose();
    const background = startNotifier({ focused: false, selectedId: 'a' });
    background.setLoaded(true);
    background.setSessions([session('a')]);
    background.setSessions([session('a', 'waiting_for_user')]);
    expect(background.shown.map((s) => s.tag)).toEqual(['a']);
    background.dispose();
  });
});

describe('createWaitingNotifier with the browser API', () => {
  it('survives a Notification constructor that throws (Android Chrome)', () => {
    vi.stubGlobal(
      'Notification',
      class {
        constructor() {
          throw new TypeError('Illegal constructor');
        }
      },
    );
    try {
      const [sessions, setSessions] = createSignal<Session[]>([]);
      const dispose = createRoot((d) => {
        createWaitingNotifier({
          sessions,
          loaded: () => true,
          enabled: () => true,
          selectedId: () => undefined,
          onOpen: () => {},
          hasFocus: () => false,
        });
        return d;
      });
      setSessions([session('a')]);
      expect(() => setSessions([session('a', 'waiting_for_user')])).not.toThrow();
      dispose();
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('createNotifySetting and NotifyToggle', () => {
  it('asks for permission when switched on, and keeps the choice', async () => {
    const api = fakeApi('default', 'granted');
    renderToggle(api);
    const box = screen.getByTestId('notify-toggle') as HTMLInputElement;
    expect(box.checked).toBe(false);
    fireEvent.click(box);
    await waitFor(() => expect(localStorage.getItem(NOTIFY_STORAGE_KEY)).toBe('on'));
    expect(api.requestPermission).toHaveBeenCalledTimes(1);
    expect(box.checked).toBe(true);
    cleanup();
    renderToggle(api);
    expect((screen.getByTestId('notify-toggle') as HTMLInputElement).checked).toBe(true);
  });

  it('stays off when asking for permission fails instead of answering, and leaves no rejection behind', async () => {
    localStorage.removeItem(NOTIFY_STORAGE_KEY);
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const api = fakeApi('default');
      api.requestPermission.mockImplementation(async () => {
        throw new TypeError('not allowed here');
      });
      renderToggle(api);
      const box = screen.getByTestId('notify-toggle') as HTMLInputElement;
      fireEvent.click(box);
      await waitFor(() => expect(localStorage.getItem(NOTIFY_STORAGE_KEY)).toBe('off'));
      await new Promise((r) => setTimeout(r, 20));
      expect(box.checked).toBe(false);
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('stays off, and says why, when the browser refuses', async () => {
    const api = fakeApi('default', 'denied');
    renderToggle(api);
    const box = screen.getByTestId('notify-toggle') as HTMLInputElement;
    fireEvent.click(box);
    await waitFor(() =>
      expect(screen.getByTestId('notify-note').textContent).toMatch(/blocks notifications/),
    );
    expect(box.checked).toBe(false);
    expect(localStorage.getItem(NOTIFY_STORAGE_KEY)).toBe('off');
  });

  it('is disabled where the browser has no notifications', () => {
    renderToggle(undefined);
    expect((screen.getByTestId('notify-toggle') as HTMLInputElement).disabled).toBe(true);
    expect(screen.getByTestId('notify-note').textContent).toMatch(/cannot show notifications/);
  });

  it('is off when stored on but the permission was withdrawn since', () => {
    localStorage.setItem(NOTIFY_STORAGE_KEY, 'on');
    const setting = createRoot(() => createNotifySetting(fakeApi('denied')));
    expect(setting.enabled()).toBe(false);
  });
});

describe('createTabTitle', () => {
  it('puts (N) before the title while N sessions wait, and the open session in it', () => {
    const [sessions, setSessions] = createSignal<Session[]>([session('a'), session('b')]);
    const [open, setOpen] = createSignal<string>();
    const dispose = createRoot((dispose) => {
      createTabTitle({ sessions, openTitle: open });
      return dispose;
    });
    expect(document.title).toBe('livetrail');
    setSessions([session('a', 'waiting_for_user'), session('b', 'waiting_for_user')]);
    expect(document.title).toBe('(2) livetrail');
    setOpen('Fix the build');
    expect(document.title).toBe('(2) Fix the build · livetrail');
    setSessions([session('a'), session('b', 'succeeded')]);
    expect(document.title).toBe('Fix the build · livetrail');
    dispose();
    expect(document.title).toBe('livetrail');
  });
});
