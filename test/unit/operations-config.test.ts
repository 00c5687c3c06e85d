import { ConfigError, loadConfig } from '../../src/config';

describe('operations configuration', () => {
  it('serves no metrics, waits 10 s at shutdown, and fails database calls fast by default', () => {
    expect(loadConfig({})).toMatchObject({
      metrics: null,
      shutdownTimeoutSeconds: 10,
      databaseTimeouts: { connectMs: 3000, queryMs: 30_000 },
    });
  });

  it('serves metrics on METRICS_PORT, on the loopback interface unless METRICS_HOST says otherwise', () => {
    expect(loadConfig({ METRICS_PORT: '9464' }).metrics).toEqual({ host: '127.0.0.1', port: 9464 });
    // HOST is for the API: exposing the metrics elsewhere is a choice of its own.
    expect(loadConfig({ HOST: '0.0.0.0', METRICS_PORT: '9464' }).metrics).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }).metrics).toEqual({
      host: '0.0.0.0',
      port: 9464,
    });
  });

  it('reads the shutdown and database timeouts as durations', () => {
    expect(
      loadConfig({ SHUTDOWN_TIMEOUT: '30s', DATABASE_CONNECT_TIMEOUT: '5', DATABASE_QUERY_TIMEOUT: '2m' }),
    ).toMatchObject({ shutdownTimeoutSeconds: 30, databaseTimeouts: { connectMs: 5000, queryMs: 120_000 } });
  });

  it.each([
    ['METRICS_PORT', { METRICS_PORT: 'nine' }],
    ['METRICS_PORT', { METRICS_PORT: '70000' }],
    ['METRICS_PORT', { METRICS_PORT: '4000' }],
    ['METRICS_PORT', { PORT: '8080', METRICS_PORT: '8080' }],
    ['SHUTDOWN_TIMEOUT', { SHUTDOWN_TIMEOUT: '0' }],
    ['SHUTDOWN_TIMEOUT', { SHUTDOWN_TIMEOUT: 'soon' }],
    ['DATABASE_CONNECT_TIMEOUT', { DATABASE_CONNECT_TIMEOUT: '0' }],
    ['DATABASE_QUERY_TIMEOUT', { DATABASE_QUERY_TIMEOUT: '2h' }],
  ])('refuses a bad %s, naming it', (variable, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${variable}: `));
  });
});
