import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../server/auth/createAuthenticator.ts';
import type { TokenEntry } from '../../server/config.ts';

const ADMIN = 'admin-token-0123456789';
const AGENT = 'agent-token-0123456789';
const AGENT2 = 'agent-token-9876543210';
const VIEWER = 'viewer-token-0123456789';

const TOKENS: TokenEntry[] = [
  { role: 'admin', token: ADMIN, label: 'admin#1' },
  { role: 'agent', token: AGENT, label: 'agent#1' },
  { role: 'agent', token: AGENT2, label: 'agent#2' },
  { role: 'viewer', token: VIEWER, label: 'viewer#1' },
];

describe('createAuthenticator', () => {
  describe('disabled', () => {
    const auth = createAuthenticator({ enabled: false, tokens: TOKENS });

    it('says it is disabled', () => {
      expect(auth.enabled).toBe(false);
    });

    it.each([
      ['no token', undefined],
      ['an empty token', ''],
      ['an unknown token', 'not-a-configured-token'],
      ['an over-long token', 'x'.repeat(5000)],
      ["a viewer's token", VIEWER],
    ])('treats a caller with %s as an anonymous admin', (_what, token) => {
      expect(auth.authenticate(token)).toEqual({ role: 'admin', label: 'anonymous' });
    });

    it('is an anonymous admin even with no tokens configured', () => {
      expect(createAuthenticator({ enabled: false, tokens: [] }).authenticate(undefined)).toEqual({
        role: 'admin',
        label: 'anonymous',
      });
    });
  });

  describe('enabled', () => {
    const auth = createAuthenticator({ enabled: true, tokens: TOKENS });

    it('says it is enabled', () => {
      expect(auth.enabled).toBe(true);
    });

    it.each(TOKENS)('maps the $label token to its role and label', ({ token, role, label }) => {
      expect(auth.authenticate(token)).toEqual({ role, label });
    });

    it('never puts the token in the principal', () => {
      expect(JSON.stringify(auth.authenticate(ADMIN))).not.toContain(ADMIN);
    });

    it.each([
      ['no token', undefined],
      ['an empty token', ''],
      ['an unknown token', 'not-a-configured-token'],
      ['a prefix of a valid token', ADMIN.slice(0, -1)],
      ['an extension of a valid token', `${ADMIN}0`],
      ['a valid token in another case', ADMIN.toUpperCase()],
      ['a valid token with whitespace around it', ` ${ADMIN} `],
      ['two valid tokens joined', `${ADMIN}${AGENT}`],
      ['the label of a token', 'admin#1'],
    ])('refuses %s', (_what, token) => {
      expect(auth.authenticate(token)).toBeUndefined();
    });

    it('refuses every token when none is configured', () => {
      const none = createAuthenticator({ enabled: true, tokens: [] });
      expect(none.authenticate(ADMIN)).toBeUndefined();
      expect(none.authenticate(undefined)).toBeUndefined();
    });

    it('accepts a configured token of exactly 1024 characters and refuses one of 1025', () => {
      const at = 'a'.repeat(1024);
      const past = 'b'.repeat(1025);
      const long = createAuthenticator({
        enabled: true,
        tokens: [
          { role: 'agent', token: at, label: 'agent#1' },
          { role: 'viewer', token: past, label: 'viewer#1' },
        ],
      });
      expect(long.authenticate(at)).toEqual({ role: 'agent', label: 'agent#1' });
      expect(long.authenticate(past)).toBeUndefined();
    });
  });
});
