import { Role } from '../../src/auth/roles';
import { UsersDocument } from '../generated/graphql';
import { startTestServer, type TestServer } from '../helpers/test-server';

interface Body {
  data?: unknown;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

// The rule itself (prices, fragments, every list field bounded) is specified in test/unit/query-cost.test.ts.
describe('query cost over HTTP', () => {
  let server: TestServer;
  let adminToken: string;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
    adminToken = (await server.signIn('admin@example.com', [Role.ADMIN])).accessToken;
  });
  afterAll(() => server.close());

  const pages = (n: number, first: string) =>
    `{ ${Array.from({ length: n }, (_, i) => `p${i}: users(first: ${first}) { edges { node { id email roles disabled } } }`).join(' ')} }`;

  it('refuses a costly operation before anything runs: 400, GRAPHQL_VALIDATION_FAILED, naming maxCost', async () => {
    const res = await server.post({ query: pages(15, '100') }, { authorization: `Bearer ${adminToken}` });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Body;
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.message).toMatch(/^The operation's cost, 7530, exceeds the limit of 5000 \(maxCost\)/);
    expect(body.errors![0]!.extensions).toEqual({
      code: 'GRAPHQL_VALIDATION_FAILED',
      limit: 'maxCost',
      max: 5000,
      cost: 7530,
    });
  });

  it('prices a variable `first` at the field maximum, whatever the variables say', async () => {
    const query = `query($n: Int) ${pages(10, '$n')}`;
    const res = await server.post({ query, variables: { n: 1 } }, { authorization: `Bearer ${adminToken}` });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Body).errors![0]!.extensions).toMatchObject({ limit: 'maxCost', cost: 10 * 502 });
  });

  it('answers the same operations at an affordable page size', async () => {
    const res = await server.post({ query: pages(8, '10') }, { authorization: `Bearer ${adminToken}` });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Body).errors).toBeUndefined();
    expect((await server.execute(UsersDocument, { first: 100 }, { token: adminToken })).errors).toBeUndefined();
  });
});
