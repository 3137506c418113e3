import { describe, expect, it } from 'vitest';
import { type Config, fromEnv, isLoopbackHost } from '../../server/config.ts';

describe('config', () => {
  it('defaults to the sqlite store on 127.0.0.1:3000, no recovery, no retention', () => {
    const config = fromEnv({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      store: 'sqlite',
      dataDir: './.livetrail-data',
      recover: false,
    });
    expect(config.retentionDays).toBeUndefined();
  });

  it('takes `file` as the old name of the sqlite store, and reads recovery and retention', () => {
    expect(fromEnv({ LIVETRAIL_STORE: 'file' }).store).toBe('sqlite');
    expect(fromEnv({ LIVETRAIL_RECOVER: '1', LIVETRAIL_RETENTION_DAYS: '30' })).toMatchObject({
      recover: true,
      retentionDays: 30,
    });
    expect(() => fromEnv({ LIVETRAIL_RECOVER: 'yes' })).toThrow(/^bad config: LIVETRAIL_RECOVER="yes": /);
    expect(() => fromEnv({ LIVETRAIL_RETENTION_DAYS: '0' })).toThrow(/LIVETRAIL_RETENTION_DAYS="0"/);
  });

  it('reads overrides and treats blank values as unset', () => {
    expect(fromEnv({ PORT: '8080', LIVETRAIL_STORE: 'memory', HOST: '' })).toMatchObject({
      port: 8080,
      store: 'memory',
      host: '127.0.0.1',
    });
  });

  it('names the variable and the value when one is bad', () => {
    expect(() => fromEnv({ PORT: 'eighty' })).toThrow(/^bad config: PORT="eighty": /);
    expect(() => fromEnv({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => fromEnv({ LIVETRAIL_STORE: 'postgres' })).toThrow(/LIVETRAIL_STORE="postgres"/);
    expect(() => fromEnv({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });

  it('needs MONGODB_URI for the mongo store and checks its shape', () => {
    expect(() => fromEnv({ LIVETRAIL_STORE: 'mongo' })).toThrow(
      /MONGODB_URI.*required when LIVETRAIL_STORE=mongo/,
    );
    expect(() => fromEnv({ LIVETRAIL_STORE: 'mongo', MONGODB_URI: 'http://x' })).toThrow(
      /MONGODB_URI="http:\/\/x"/,
    );
    expect(fromEnv({ LIVETRAIL_STORE: 'mongo', MONGODB_URI: 'mongodb://h:1/?replicaSet=rs0' })).toMatchObject(
      {
        store: 'mongo',
        mongoUri: 'mongodb://h:1/?replicaSet=rs0',
        mongoDb: 'livetrail',
      },
    );
    expect(() => fromEnv({ MONGODB_DB: 'a/b' })).toThrow(/MONGODB_DB/);
  });
});

const ADMIN = 'Adm1n.token_value~0123';
const AGENT = 'agent+token/value=0123';
const AGENT2 = 'second-agent-token-0123';
const VIEWER = 'viewer-token-value-0123';

/** The message `fromEnv` throws for `env` (fails the test if it does not throw). */
function errorOf(env: Record<string, string>): string {
  try {
    fromEnv(env);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`fromEnv accepted ${JSON.stringify(env)}`);
}

describe('config: LIVETRAIL_TOKENS', () => {
  it('parses each role and labels tokens by role and position', () => {
    const c = fromEnv({
      LIVETRAIL_TOKENS: `admin:${ADMIN},agent:${AGENT},viewer:${VIEWER},agent:${AGENT2}`,
    });
    expect(c.tokens).toEqual([
      { role: 'admin', token: ADMIN, label: 'admin#1' },
      { role: 'agent', token: AGENT, label: 'agent#1' },
      { role: 'viewer', token: VIEWER, label: 'viewer#1' },
      { role: 'agent', token: AGENT2, label: 'agent#2' },
    ]);
  });

  it('accepts a 16-character token and refuses a 15-character one', () => {
    const sixteen = 'abcdefghijklmnop';
    expect(fromEnv({ LIVETRAIL_TOKENS: `admin:${sixteen}` }).tokens[0]?.token).toBe(sixteen);
    const fifteen = sixteen.slice(0, 15);
    const message = errorOf({ LIVETRAIL_TOKENS: `admin:${fifteen}` });
    expect(message).toMatch(/^bad config: LIVETRAIL_TOKENS: entry 1: a token is 16–512 characters/);
    expect(message).not.toContain(fifteen);
  });

  it('accepts a 512-character token and refuses a 513-character one', () => {
    const long = 'x'.repeat(512);
    expect(fromEnv({ LIVETRAIL_TOKENS: `agent:${long}` }).tokens[0]?.token).toBe(long);
    const message = errorOf({ LIVETRAIL_TOKENS: `agent:${long}y` });
    expect(message).toMatch(/entry 1: a token is 16–512 characters/);
    expect(message).not.toContain('xxxxxxxxxxxxxxxx');
  });

  it('accepts every allowed punctuation character in a token', () => {
    const token = 'AZaz09._~+/=-AZaz09';
    expect(fromEnv({ LIVETRAIL_TOKENS: `viewer:${token}` }).tokens[0]?.token).toBe(token);
  });

  it.each([
    ['an exclamation mark', 'abcdefghijklmnop!'],
    ['a space', 'abcdefgh ijklmnop'],
    ['a semicolon', 'abcdefgh;ijklmnop'],
    ['a colon', 'abcdefgh:ijklmnop'],
    ['a quote', 'abcdefgh"ijklmnop'],
    ['a non-ascii letter', 'abcdefghijklmnopé'],
  ])('refuses a token with %s without echoing it', (_what, token) => {
    const message = errorOf({ LIVETRAIL_TOKENS: `admin:${ADMIN},agent:${token}` });
    expect(message).toMatch(/^bad config: LIVETRAIL_TOKENS: entry 2: a token is 16–512 characters/);
    expect(message).not.toContain(token);
    expect(message).not.toContain(ADMIN);
  });

  it('refuses an unknown role, naming the roles but not the token', () => {
    const message = errorOf({ LIVETRAIL_TOKENS: `root:${ADMIN}` });
    expect(message).toBe(
      'bad config: LIVETRAIL_TOKENS: entry 1 has an unknown role; roles are admin, agent, viewer',
    );
    expect(message).not.toContain(ADMIN);
  });

  it('treats roles as case-sensitive', () => {
    expect(errorOf({ LIVETRAIL_TOKENS: `Admin:${ADMIN}` })).toMatch(/entry 1 has an unknown role/);
  });

  it('refuses an entry without a colon and does not echo it', () => {
    const message = errorOf({ LIVETRAIL_TOKENS: `admin:${AGENT},${ADMIN}` });
    expect(message).toBe('bad config: LIVETRAIL_TOKENS: entry 2 must be role:token');
    expect(message).not.toContain(ADMIN);
    expect(message).not.toContain(AGENT);
  });

  it('refuses a token listed twice, even under another role, without echoing it', () => {
    const message = errorOf({ LIVETRAIL_TOKENS: `admin:${ADMIN},viewer:${VIEWER},agent:${ADMIN}` });
    expect(message).toBe('bad config: LIVETRAIL_TOKENS: entry 3 repeats a token');
    expect(message).not.toContain(ADMIN);
  });

  it('an entry written token-first does not echo the token', () => {
    // The operator swapped the halves: what precedes the colon is the secret.
    const message = errorOf({ LIVETRAIL_TOKENS: `${ADMIN}:admin` });
    expect(message).toMatch(/^bad config: LIVETRAIL_TOKENS/);
    expect(message).not.toContain(ADMIN);
  });

  it('trims whitespace around entries and skips blank ones', () => {
    const c = fromEnv({ LIVETRAIL_TOKENS: ` admin:${ADMIN} , ,, \tviewer:${VIEWER}\n, ` });
    expect(c.tokens.map((t) => [t.role, t.token])).toEqual([
      ['admin', ADMIN],
      ['viewer', VIEWER],
    ]);
    expect(c.auth).toBe('on');
  });

  it('counts entries after blanks are skipped when naming the bad one', () => {
    expect(errorOf({ LIVETRAIL_TOKENS: ` , admin:${ADMIN}, ,root:${AGENT}` })).toMatch(
      /entry 2 has an unknown role/,
    );
  });

  it('does not trim inside an entry', () => {
    const message = errorOf({ LIVETRAIL_TOKENS: `admin: ${ADMIN}` });
    expect(message).toMatch(/entry 1: a token is/);
    expect(message).not.toContain(ADMIN);
    expect(errorOf({ LIVETRAIL_TOKENS: `admin :${ADMIN}` })).toMatch(/entry 1 has an unknown role/);
  });

  it('reads a value of only separators and whitespace as no tokens', () => {
    expect(fromEnv({ LIVETRAIL_TOKENS: ' , ,\t' })).toMatchObject({ tokens: [], auth: 'off' });
  });
});

describe('config: LIVETRAIL_AUTH', () => {
  it('is off without tokens', () => {
    expect(fromEnv({})).toMatchObject({ auth: 'off', tokens: [] });
  });

  it('is on as soon as one token is configured', () => {
    expect(fromEnv({ LIVETRAIL_TOKENS: `viewer:${VIEWER}` }).auth).toBe('on');
  });

  it('is turned off by LIVETRAIL_AUTH=off even with tokens, which are still parsed', () => {
    const c = fromEnv({ LIVETRAIL_TOKENS: `admin:${ADMIN}`, LIVETRAIL_AUTH: 'off' });
    expect(c.auth).toBe('off');
    expect(c.tokens).toHaveLength(1);
  });

  it('accepts LIVETRAIL_AUTH=on with tokens', () => {
    expect(fromEnv({ LIVETRAIL_TOKENS: `admin:${ADMIN}`, LIVETRAIL_AUTH: 'on' }).auth).toBe('on');
  });

  it('refuses LIVETRAIL_AUTH=on without tokens, naming LIVETRAIL_TOKENS', () => {
    expect(errorOf({ LIVETRAIL_AUTH: 'on' })).toMatch(
      /^bad config: LIVETRAIL_TOKENS: is required when LIVETRAIL_AUTH=on/,
    );
    expect(errorOf({ LIVETRAIL_AUTH: 'on', LIVETRAIL_TOKENS: ' , ' })).toMatch(
      /^bad config: LIVETRAIL_TOKENS: is required when LIVETRAIL_AUTH=on/,
    );
  });

  it('refuses any other value of LIVETRAIL_AUTH', () => {
    expect(errorOf({ LIVETRAIL_AUTH: 'ON' })).toMatch(/^bad config: LIVETRAIL_AUTH="ON": /);
    expect(errorOf({ LIVETRAIL_AUTH: 'yes' })).toMatch(/^bad config: LIVETRAIL_AUTH="yes": /);
  });
});

describe('config: public binds', () => {
  it.each(['0.0.0.0', '192.0.2.1', '::'])('refuses %s without tokens, naming LIVETRAIL_TOKENS', (host) => {
    const message = errorOf({ HOST: host, LIVETRAIL_ALLOWED_HOSTS: 'livetrail.example.com' });
    expect(message).toMatch(/^bad config: LIVETRAIL_TOKENS: is required to listen on /);
    expect(message).toContain(host);
    expect(message).toContain('LIVETRAIL_AUTH=off');
  });

  it.each(['0.0.0.0', '192.0.2.1', '::'])(
    'refuses %s with tokens but no LIVETRAIL_ALLOWED_HOSTS, naming it and not the token',
    (host) => {
      const message = errorOf({ HOST: host, LIVETRAIL_TOKENS: `admin:${ADMIN}` });
      expect(message).toMatch(/^bad config: LIVETRAIL_ALLOWED_HOSTS: is required to listen on /);
      expect(message).not.toContain(ADMIN);
    },
  );

  it.each(['0.0.0.0', '192.0.2.1', '::'])('accepts %s with tokens and allowed hosts', (host) => {
    expect(
      fromEnv({ HOST: host, LIVETRAIL_TOKENS: `admin:${ADMIN}`, LIVETRAIL_ALLOWED_HOSTS: 'lt.example' }),
    ).toMatchObject({ host, auth: 'on', allowedHosts: ['lt.example'] });
  });

  it('accepts a public bind with LIVETRAIL_AUTH=off and allowed hosts', () => {
    expect(
      fromEnv({ HOST: '0.0.0.0', LIVETRAIL_AUTH: 'off', LIVETRAIL_ALLOWED_HOSTS: 'lt.example' }),
    ).toMatchObject({ host: '0.0.0.0', auth: 'off', tokens: [] });
  });

  it('still needs allowed hosts on a public bind with LIVETRAIL_AUTH=off', () => {
    expect(errorOf({ HOST: '0.0.0.0', LIVETRAIL_AUTH: 'off' })).toMatch(
      /^bad config: LIVETRAIL_ALLOWED_HOSTS: /,
    );
  });

  it.each(['127.0.0.1', '127.0.0.5', 'localhost', '::1'])(
    'accepts the loopback bind %s without tokens or allowed hosts',
    (host) => {
      expect(fromEnv({ HOST: host })).toMatchObject({ host, auth: 'off', allowedHosts: [] });
    },
  );
});

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.0.0.5', '127.255.255.255', 'localhost', 'LocalHost', '::1', '[::1]'])(
    'counts %s as loopback',
    (host) => {
      expect(isLoopbackHost(host)).toBe(true);
    },
  );

  it.each([
    '0.0.0.0',
    '::',
    '192.0.2.1',
    '128.0.0.1',
    '10.127.0.0.1',
    '127.0.0',
    '127.0.0.1.evil.example',
    'localhost.evil.example',
    'evil-localhost',
    '[::2]',
    '',
  ])('does not count %j as loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('config: LIVETRAIL_ALLOWED_ORIGINS', () => {
  it('accepts origins with and without a port, trimming entries and skipping blanks', () => {
    expect(
      fromEnv({ LIVETRAIL_ALLOWED_ORIGINS: ' https://a.example , ,http://b.example:8080,http://[::1]:5173' })
        .allowedOrigins,
    ).toEqual(['https://a.example', 'http://b.example:8080', 'http://[::1]:5173']);
  });

  it('normalizes a trailing slash away', () => {
    expect(fromEnv({ LIVETRAIL_ALLOWED_ORIGINS: 'https://a.example/' }).allowedOrigins).toEqual([
      'https://a.example',
    ]);
  });

  it('defaults to none', () => {
    expect(fromEnv({}).allowedOrigins).toEqual([]);
  });

  it.each([
    ['a trailing path', 'https://a.example/app'],
    ['a path with a trailing slash', 'https://a.example/app/'],
    ['another scheme', 'ftp://a.example'],
    ['no scheme', 'a.example'],
    ['a query', 'https://a.example?x=1'],
    ['a fragment', 'https://a.example#x'],
    ['credentials', 'https://user@a.example'],
    ['a wildcard', '*'],
    ['null', 'null'],
  ])('refuses an entry with %s, naming the variable and its value', (_what, origin) => {
    const message = errorOf({ LIVETRAIL_ALLOWED_ORIGINS: `https://ok.example,${origin}` });
    expect(message).toMatch(/^bad config: LIVETRAIL_ALLOWED_ORIGINS=".*": each entry must be an origin/);
    expect(message).toContain(JSON.stringify(`https://ok.example,${origin}`));
  });
});

describe('config: LIVETRAIL_ALLOWED_HOSTS', () => {
  it('accepts names, addresses and bracketed IPv6, with or without a port, and lowercases them', () => {
    expect(
      fromEnv({
        LIVETRAIL_ALLOWED_HOSTS:
          ' LiveTrail.Example.com , ,lt.example:8443,192.0.2.1,[::1]:3000,[2001:DB8::1]',
      }).allowedHosts,
    ).toEqual(['livetrail.example.com', 'lt.example:8443', '192.0.2.1', '[::1]:3000', '[2001:db8::1]']);
  });

  it('accepts a five-digit port and refuses a six-digit one', () => {
    expect(fromEnv({ LIVETRAIL_ALLOWED_HOSTS: 'lt.example:65535' }).allowedHosts).toEqual([
      'lt.example:65535',
    ]);
    expect(errorOf({ LIVETRAIL_ALLOWED_HOSTS: 'lt.example:655350' })).toMatch(
      /^bad config: LIVETRAIL_ALLOWED_HOSTS="lt.example:655350": each entry must be host or host:port/,
    );
  });

  it.each([
    'https://lt.example',
    'lt.example/app',
    'lt.example:',
    '*.example.com',
    '::1',
    'lt example',
    'lt.example:port',
  ])('refuses the entry %j', (host) => {
    expect(errorOf({ LIVETRAIL_ALLOWED_HOSTS: `ok.example,${host}` })).toMatch(
      /^bad config: LIVETRAIL_ALLOWED_HOSTS=".*": each entry must be host or host:port/,
    );
  });
});

describe('config: numeric limits', () => {
  const read = {
    LIVETRAIL_TRUST_PROXY: (c: Config) => c.trustProxyHops,
    LIVETRAIL_MAX_BATCH: (c: Config) => c.limits.maxBatchCalls,
    LIVETRAIL_MAX_WS_SUBSCRIPTIONS: (c: Config) => c.limits.maxWsSubscriptions,
    LIVETRAIL_MAX_CONNECTIONS: (c: Config) => c.limits.maxConnections,
    LIVETRAIL_MAX_CONNECTIONS_PER_IP: (c: Config) => c.limits.maxConnectionsPerIp,
    LIVETRAIL_HEADERS_TIMEOUT_MS: (c: Config) => c.limits.headersTimeoutMs,
    LIVETRAIL_BODY_TIMEOUT_MS: (c: Config) => c.limits.bodyTimeoutMs,
    LIVETRAIL_STALLED_READER_MS: (c: Config) => c.limits.stalledReaderMs,
    LIVETRAIL_APPEND_RATE: (c: Config) => c.limits.appendRatePerSec,
    LIVETRAIL_APPEND_BURST: (c: Config) => c.limits.appendBurst,
  } as const;
  const cases: [keyof typeof read, number, number, number][] = [
    ['LIVETRAIL_TRUST_PROXY', 0, 0, 10],
    ['LIVETRAIL_MAX_BATCH', 10, 1, 1000],
    ['LIVETRAIL_MAX_WS_SUBSCRIPTIONS', 16, 1, 10_000],
    ['LIVETRAIL_MAX_CONNECTIONS', 20_000, 1, 1_000_000],
    ['LIVETRAIL_MAX_CONNECTIONS_PER_IP', 2_000, 1, 1_000_000],
    ['LIVETRAIL_HEADERS_TIMEOUT_MS', 10_000, 1_000, 600_000],
    ['LIVETRAIL_BODY_TIMEOUT_MS', 30_000, 1_000, 600_000],
    ['LIVETRAIL_STALLED_READER_MS', 30_000, 1_000, 600_000],
    ['LIVETRAIL_APPEND_RATE', 200, 1, 1_000_000],
    ['LIVETRAIL_APPEND_BURST', 2_000, 1_000, 10_000_000],
  ];

  it.each(cases)('%s defaults to %d, also when blank', (name, dflt) => {
    expect(read[name](fromEnv({}))).toBe(dflt);
    expect(read[name](fromEnv({ [name]: '' }))).toBe(dflt);
  });

  it.each(cases)('%s accepts its bounds exactly', (name, _dflt, min, max) => {
    expect(read[name](fromEnv({ [name]: String(min) }))).toBe(min);
    expect(read[name](fromEnv({ [name]: String(max) }))).toBe(max);
  });

  it.each(cases)('%s refuses one below and one above its bounds', (name, _dflt, min, max) => {
    expect(errorOf({ [name]: String(min - 1) })).toMatch(new RegExp(`^bad config: ${name}="${min - 1}": `));
    expect(errorOf({ [name]: String(max + 1) })).toMatch(new RegExp(`^bad config: ${name}="${max + 1}": `));
  });

  it.each(cases)('%s refuses fractions and words', (name, _dflt, min) => {
    expect(errorOf({ [name]: `${min}.5` })).toMatch(new RegExp(`^bad config: ${name}=`));
    expect(errorOf({ [name]: 'lots' })).toMatch(new RegExp(`^bad config: ${name}="lots": `));
  });
});
