import { loadConfig, MAX_BODY_LIMIT } from './app-config';

describe('configuration from the environment', () => {
  it('has defaults for everything', () => {
    expect(loadConfig({})).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      eventStoreUrl: null,
      usersFile: null,
      production: false,
      bodyLimit: null,
      logLevel: 'info',
    });
  });

  it('reads what is set, and takes an empty variable as unset', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '',
      EVENTSTORE_URL: 'esdb://localhost:2113?tls=false',
      BODY_LIMIT: '200mb',
      NODE_ENV: 'production',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      logLevel: 'debug',
      port: 0,
      host: '127.0.0.1',
      eventStoreUrl: 'esdb://localhost:2113?tls=false',
      bodyLimit: '200mb',
      production: true,
    });
  });

  it('stops with every invalid variable named', () => {
    expect(() => loadConfig({ PORT: 'abc', EVENTSTORE_URL: 'http://x', BODY_LIMIT: 'lots' })).toThrow(
      /PORT must be a port number, got "abc".*EVENTSTORE_URL.*got "http:\/\/x".*BODY_LIMIT/,
    );
    expect(() => loadConfig({ PORT: '70000' })).toThrow('Invalid configuration: PORT must not be greater than 65535, got "70000"');
    // One reason per variable, the type's first: not also "must not be greater than 65535" and "less than 0" for a word.
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/^Invalid configuration: PORT must be a port number, got "abc"$/);
    // Before, 2gb started and a 734 MB body got V8's "Cannot create a string longer than 0x1fffffe8 characters"; 0 got Fastify's own message.
    for (const limit of ['2gb', '0', '0mb', `${MAX_BODY_LIMIT + 1}`]) {
      expect(() => loadConfig({ BODY_LIMIT: limit })).toThrow(`BODY_LIMIT must be from 1 byte to ${MAX_BODY_LIMIT} bytes`);
    }
    expect(loadConfig({ BODY_LIMIT: `${MAX_BODY_LIMIT}` }).bodyLimit).toBe(`${MAX_BODY_LIMIT}`);
    expect(loadConfig({ BODY_LIMIT: '1' }).bodyLimit).toBe('1');
    // Whole numbers in decimal digits only: JavaScript's other number forms are refused, not read.
    for (const port of ['0x10', '1e3', '3000.5', '-1', '+3000', '30 00', '0b11']) {
      expect(() => loadConfig({ PORT: port })).toThrow(`Invalid configuration: PORT must be a port number, got "${port}"`);
    }
    expect(() => loadConfig({ RATE_LIMIT_PER_MINUTE: '1e2' })).toThrow('RATE_LIMIT_PER_MINUTE must be a whole number, got "1e2"');
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT_MS: '0x100' })).toThrow('SHUTDOWN_TIMEOUT_MS must be a whole number of milliseconds, got "0x100"');
    expect(() => loadConfig({ LEDGER_CHECKPOINT_INTERVAL_SECONDS: '6e1' })).toThrow('must be a whole number of seconds, got "6e1"');
    // Longer than Node's timers take (2^31 - 1 ms): such a delay would fire at once.
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT_MS: '2147483648' })).toThrow('SHUTDOWN_TIMEOUT_MS must not be greater than 2147483647, got "2147483648"');
    expect(() => loadConfig({ LEDGER_CHECKPOINT_INTERVAL_SECONDS: '2592000' })).toThrow(
      'LEDGER_CHECKPOINT_INTERVAL_SECONDS must not be greater than 2147483, got "2592000"',
    );
    expect(loadConfig({ SHUTDOWN_TIMEOUT_MS: '2147483647', LEDGER_CHECKPOINT_INTERVAL_SECONDS: '2147483' })).toMatchObject({
      shutdownTimeoutMs: 2147483647,
      checkpointIntervalMs: 2147483000,
    });
    expect(loadConfig({ PORT: ' 3001 ', RATE_LIMIT_PER_MINUTE: '007' })).toMatchObject({ port: 3001, rateLimitPerMinute: 7 });
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"/);
  });

  it('reads the edge settings: CORS origins as a list, the rate limit and the shutdown timeout, with their defaults', () => {
    expect(loadConfig({})).toMatchObject({ corsOrigins: [], rateLimitPerMinute: 600, shutdownTimeoutMs: 10_000 });
    const config = loadConfig({ CORS_ORIGINS: 'https://cms.example.org, http://127.0.0.1:5173', RATE_LIMIT_PER_MINUTE: '0', SHUTDOWN_TIMEOUT_MS: '2500' });
    expect(config).toMatchObject({ corsOrigins: ['https://cms.example.org', 'http://127.0.0.1:5173'], rateLimitPerMinute: 0, shutdownTimeoutMs: 2500 });
  });

  it('refuses an origin with a path, a wildcard, a negative rate limit and a zero timeout', () => {
    expect(() => loadConfig({ CORS_ORIGINS: 'https://cms.example.org/' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ RATE_LIMIT_PER_MINUTE: '-1' })).toThrow(/RATE_LIMIT_PER_MINUTE/);
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT_MS: '0' })).toThrow(/SHUTDOWN_TIMEOUT_MS/);
  });
});
