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
