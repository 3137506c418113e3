/** How a sign-in went; `message` is what to show when it did not work. */
export type SignInOutcome = { ok: true } | { ok: false; rejected: boolean; message: string };

const REJECTED = 'That token was not accepted.';

function base(url: string): string {
  return url.replace(/\/+$/, '');
}

/** The server's own `{ error: { message } }`, when the body has one. */
async function serverMessage(res: Response): Promise<string | undefined> {
  try {
    const body = (await res.json()) as { error?: { message?: unknown } } | null;
    const message = body?.error?.message;
    return typeof message === 'string' && message ? message : undefined;
  } catch {
    return undefined;
  }
}

function waitHint(res: Response): string {
  const seconds = Number(res.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? `in ${Math.ceil(seconds)} s` : 'in a minute';
}

/**
 * Trades an access token for the sign-in cookie (`POST /api/signin`). The token goes in the body,
 * never in a URL, and is not kept anywhere: from now on the browser sends the HttpOnly cookie.
 */
export async function signIn(url: string, token: string): Promise<SignInOutcome> {
  let res: Response;
  try {
    res = await fetch(`${base(url)}/api/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ token }),
      cache: 'no-store',
      credentials: 'same-origin',
    });
  } catch {
    return {
      ok: false,
      rejected: false,
      message: 'Could not reach the server. Check that it is running, then try again.',
    };
  }
  if (res.ok) return { ok: true };
  if (res.status === 401) return { ok: false, rejected: true, message: REJECTED };
  if (res.status === 429) {
    return { ok: false, rejected: false, message: `Too many sign-in attempts. Try again ${waitHint(res)}.` };
  }
  const detail = await serverMessage(res);
  return {
    ok: false,
    rejected: false,
    message: `Sign-in failed (the server answered ${res.status}${detail ? `: ${detail}` : ''}).`,
  };
}

/** Asks the server to clear the sign-in cookie (`POST /api/signout`); rejects when it did not. */
export async function signOut(url: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(`${base(url)}/api/signout`, {
      method: 'POST',
      cache: 'no-store',
      credentials: 'same-origin',
    });
  } catch {
    throw new Error('could not reach the server');
  }
  if (!res.ok) throw new Error(`the server answered ${res.status}`);
}
