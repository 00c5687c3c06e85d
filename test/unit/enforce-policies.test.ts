import { execute, parse } from 'graphql';
import { Role } from '../../src/auth/roles';
import type { Viewer } from '../../src/auth/tokens';
import { testViewer } from '../helpers/viewers';
import { buildAppSchema } from '../../src/graphql/schema';
import { createResolvers } from '../../src/modules';
import type { Services } from '../../src/modules/module';

const viewer = (id: string, ...roles: Role[]): Viewer => testViewer(id, roles);

describe('policy enforcement in the built schema', () => {
  // Services that record every call: a denied root field must never reach them.
  const calls: string[] = [];
  const recorder = new Proxy(
    {},
    {
      get: (_target, method: string) => async () => {
        calls.push(method);
        return { users: [], hasNextPage: false, events: [] };
      },
    },
  );
  const services = new Proxy({}, { get: () => recorder }) as Services;
  const run = async (query: string, who: Viewer | null) => {
    const schema = await buildAppSchema(createResolvers(services));
    return execute({ schema, document: parse(query), contextValue: { viewer: who, requestId: 'r' } });
  };

  beforeEach(() => {
    calls.length = 0;
  });

  it.each([
    ['anonymous', null, 'UNAUTHENTICATED'],
    ['a USER', viewer('u1', Role.USER), 'FORBIDDEN'],
    ['an EDITOR', viewer('e1', Role.EDITOR), 'FORBIDDEN'],
  ])('never runs an ADMIN root resolver for %s', async (_name, who, code) => {
    for (const query of [
      '{ users { pageInfo { hasNextPage } } }',
      '{ auditEvents { pageInfo { hasNextPage } } }',
      'mutation { setUserDisabled(userId: "x", disabled: true) { id } }',
    ]) {
      const result = await run(query, who);
      expect(result.errors?.[0]?.extensions?.code).toBe(code);
    }
    expect(calls).toEqual([]);
  });

  it('runs it for an ADMIN', async () => {
    const result = await run('{ users { pageInfo { hasNextPage } } }', viewer('a1', Role.ADMIN));
    expect(result.errors).toBeUndefined();
    expect(calls).toEqual(['list']);
  });

  it('never runs a signed-in root resolver for an anonymous caller', async () => {
    for (const query of ['{ mySessions { id } }', 'mutation { logout }', '{ user(id: "x") { id } }']) {
      const result = await run(query, null);
      expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    expect(calls).toEqual([]);
  });
});
