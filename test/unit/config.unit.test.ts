import { describe, expect, it } from 'vitest';
import { fromEnv } from '../../server/config.ts';

describe('config', () => {
  it('defaults to the file store on 127.0.0.1:3000', () => {
    expect(fromEnv({})).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      store: 'file',
      dataDir: './.livetrail-data',
    });
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
});
