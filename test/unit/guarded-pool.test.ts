import { isConnectionFailure } from '../../src/db/guarded-pool';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('telling an unreachable database from a failing statement', () => {
  it.each([
    ['connection refused', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['connection reset', withCode('ECONNRESET')],
    ['no route', withCode('EHOSTUNREACH')],
    ['DNS failure', withCode('ENOTFOUND')],
    ['connect timeout (pg-pool)', new Error('timeout exceeded when trying to connect')],
    ['connect timeout (pg)', new Error('Connection terminated due to connection timeout')],
    ['lost mid-query', new Error('Connection terminated unexpectedly')],
    ['a statement never answered (query_timeout)', new Error('Query read timeout')],
    ['a broken client reused', new Error('Client has encountered a connection error and is not queryable')],
    ['admin shutdown', withCode('57P01')],
    ['server starting up', withCode('57P03')],
    ['too many connections', withCode('53300')],
    ['connection exception class', withCode('08006')],
    ['every address refused', new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')])],
  ])('%s is a connection failure', (_name, error) => {
    expect(isConnectionFailure(error)).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('23505', 'duplicate key value violates unique constraint')],
    ['a syntax error', withCode('42601')],
    ['a serialization failure', withCode('40001')],
    ['a programming error', new TypeError('cannot read properties of undefined')],
    ['not an error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('%s is not', (_name, error) => {
    expect(isConnectionFailure(error)).toBe(false);
  });
});
