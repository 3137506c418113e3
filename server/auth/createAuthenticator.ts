import { createHash, timingSafeEqual } from 'node:crypto';
import type { Role } from '../../shared/roles.ts';
import type { TokenEntry } from '../config.ts';

/** Who is calling: the role of their token and how to name them without revealing it. */
export interface Principal {
  role: Role;
  /** `agent#1`, or `anonymous` when auth is off. */
  label: string;
}

/** Checks presented tokens against the configured ones. */
export interface Authenticator {
  /** Whether callers need a token at all. */
  enabled: boolean;
  /**
   * The principal a token stands for: with auth off everyone is an anonymous admin; with auth on an
   * unknown or missing token is undefined.
   */
  authenticate(token: string | undefined): Principal | undefined;
}

const ANONYMOUS: Principal = { role: 'admin', label: 'anonymous' };

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * An authenticator over the configured tokens. Every check hashes the presented token and compares
 * it with every configured one in constant time, so neither the match nor its position leaks
 * through timing.
 */
export function createAuthenticator(opts: {
  enabled: boolean;
  tokens: readonly TokenEntry[];
}): Authenticator {
  const known = opts.tokens.map((t) => ({
    hash: digest(t.token),
    principal: { role: t.role, label: t.label },
  }));
  return {
    enabled: opts.enabled,
    authenticate(token) {
      if (!opts.enabled) return ANONYMOUS;
      if (token === undefined || token.length === 0 || token.length > 1024) return undefined;
      const presented = digest(token);
      let found: Principal | undefined;
      for (const k of known) {
        if (timingSafeEqual(k.hash, presented)) found = k.principal;
      }
      return found;
    },
  };
}
