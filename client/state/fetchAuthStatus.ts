import { ROLES, type Role } from '../../shared/roles.ts';

/** What `GET /api/auth` says: whether the server wants tokens, and the role of this browser's cookie. */
export interface AuthStatus {
  auth: 'on' | 'off';
  /** null: no valid sign-in cookie. With auth off the server says admin. */
  role: Role | null;
}

function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The status in a `/api/auth` body, or undefined when the body is not one. */
export function parseAuthStatus(body: unknown): AuthStatus | undefined {
  const { auth, role } = (body ?? {}) as { auth?: unknown; role?: unknown };
  if (auth !== 'on' && auth !== 'off') return undefined;
  if (role !== null && !isRole(role)) return undefined;
  return { auth, role };
}

/**
 * Asks the server whether it needs a token and whether this browser is signed in (the cookie is
 * HttpOnly, so only the server can tell). Rejects when the server cannot be reached, answers
 * anything but a status, or takes longer than `timeoutMs` — the caller must not wait forever.
 */
export async function fetchAuthStatus(url: string, opts: { timeoutMs?: number } = {}): Promise<AuthStatus> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), opts.timeoutMs ?? 8000);
  try {
    const res = await fetch(`${url.replace(/\/+$/, '')}/api/auth`, {
      headers: { accept: 'application/json' },
      cache: 'no-store',
      credentials: 'same-origin',
      signal: abort.signal,
    });
    if (!res.ok) throw new Error(`GET /api/auth answered ${res.status}`);
    const status = parseAuthStatus(await res.json());
    if (!status) throw new Error('GET /api/auth answered something that is not an auth status');
    return status;
  } finally {
    clearTimeout(timer);
  }
}
