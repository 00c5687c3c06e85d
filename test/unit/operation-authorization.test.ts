import {
  Kind,
  buildSchema,
  getVariableValues,
  parse,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { buildSchemaForPrinting } from '../../src/app';
import { ISSUED_TO_CALLER, decideAccess } from '../../src/auth/access';
import type { AuthRule } from '../../src/auth/policies';
import { ALL_ROLES, Role } from '../../src/auth/roles';
import type { Viewer } from '../../src/auth/tokens';
import { ConfigError, loadConfig } from '../../src/config';
import { fieldsWithPolicies, recentAuthOf } from '../../src/graphql/directives';
import { operationAuthorizationPlugin } from '../../src/graphql/operation-authorization.plugin';
import {
  authorizeOperation,
  conditionVariables,
  type OperationAuthorization,
  type OperationVerdict,
} from '../../src/graphql/operation-authorization';
import { decideRecentAuth } from '../../src/graphql/operation-authorization.step-up';
import { decideStatically } from '../../src/graphql/operation-authorization.access';
import {
  OperationAuthorizationCache,
  keyOfAnswer,
  viewerClass,
  type OperationKey,
} from '../../src/graphql/operation-authorization.cache';
import { testViewer } from '../helpers/viewers';

// A schema of its own, with what ours lacks so far: an interface, a union, a guarded type behind an interface.
const SDL = /* GraphQL */ `
  directive @auth(requires: [AuthRule!]!) on OBJECT | FIELD_DEFINITION
  directive @public on OBJECT | FIELD_DEFINITION
  directive @recentAuth(maxAgeSeconds: Int!, factors: Int!) on FIELD_DEFINITION
  enum AuthRule {
    SIGNED_IN
    SELF
    USER
    EDITOR
    ADMIN
  }

  type Query {
    me: Account @public
    account(id: ID!): Account @auth(requires: [SIGNED_IN])
    report: Report @auth(requires: [ADMIN])
    node(id: ID!): Node @public
    search(text: String!): [Result!]! @public
    items: [Item!]! @public
  }
  type Mutation {
    ping: Boolean! @public
    wipe: Boolean! @auth(requires: [ADMIN])
    rotateKeys: Boolean! @auth(requires: [SIGNED_IN]) @recentAuth(maxAgeSeconds: 600, factors: 2)
  }
  interface Node {
    id: ID!
  }
  type Account implements Node {
    id: ID! @public
    name: String! @public
    email: String @auth(requires: [SELF, ADMIN])
    notes: String @auth(requires: [EDITOR])
    friends: [Account!]! @auth(requires: [SIGNED_IN])
    recovery: Account @auth(requires: [SELF, ADMIN]) @recentAuth(maxAgeSeconds: 300, factors: 1)
  }
  type Report implements Node @auth(requires: [ADMIN]) {
    id: ID!
    total: Int!
  }
  type Article implements Node {
    id: ID! @public
    title: String! @public
    reviewNotes: String @auth(requires: [SELF, EDITOR])
  }
  union Result = Account | Article
  type Item @public {
    id: ID!
    label: String!
  }
`;

const anonymous = null;
const user = testViewer('u1', [Role.USER]);
const otherUser = testViewer('u2', [Role.USER]);
const editor = testViewer('e1', [Role.EDITOR]);
const admin = testViewer('a1', [Role.ADMIN]);

function operationOf(document: DocumentNode): OperationDefinitionNode {
  return document.definitions.find(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  )!;
}

function coerce(schema: GraphQLSchema, operation: OperationDefinitionNode, inputs: Record<string, unknown>) {
  const result = getVariableValues(schema, operation.variableDefinitions ?? [], inputs);
  if (result.errors) throw result.errors[0];
  return result.coerced;
}

describe('whole-operation authorization: the walk', () => {
  const schema = buildSchema(SDL);
  const walk = (query: string, viewer: Viewer | null, inputs: Record<string, unknown> = {}) => {
    const document = parse(query);
    const operation = operationOf(document);
    return authorizeOperation({ schema, document, operation, variables: coerce(schema, operation, inputs), viewer });
  };
  const deniedPaths = (answer: OperationAuthorization) => answer.denied.map((denied) => denied.path.join('.'));
  const ownerPaths = (answer: OperationAuthorization) => answer.dependsOnOwner.map((field) => field.path.join('.'));

  it('allows an operation of public fields for everyone', () => {
    for (const viewer of [anonymous, user, admin]) {
      expect(walk('{ me { id name } items { id label } }', viewer)).toEqual({
        denied: [],
        dependsOnOwner: [],
        recentAuth: [],
      });
    }
  });

  it('denies a guarded root field with the code the runtime answers: UNAUTHENTICATED anonymous, FORBIDDEN signed in', () => {
    const [asAnonymous] = walk('{ report { total } }', anonymous).denied;
    expect(asAnonymous).toMatchObject({ path: ['report'], code: 'UNAUTHENTICATED', requires: ['ADMIN'] });
    const [asUser] = walk('{ report { total } }', user).denied;
    expect(asUser).toMatchObject({ path: ['report'], code: 'FORBIDDEN', requires: ['ADMIN'] });
    expect(walk('{ report { total } }', admin).denied).toEqual([]);
  });

  it('reports one entry per denied path, in document order, with where the field is asked for', () => {
    const answer = walk('{\n  me { notes }\n  report { id }\n  account(id: "1") { notes }\n}', user);
    expect(deniedPaths(answer)).toEqual(['me.notes', 'report', 'account.notes']);
    expect(answer.denied[0]!.locations).toEqual([{ line: 2, column: 8 }]);
  });

  it('does not walk below a denied field: execution would never reach it', () => {
    // Report's fields are ADMIN-only too; only the outer path is reported.
    expect(deniedPaths(walk('{ report { id total } }', user))).toEqual(['report']);
  });

  it('names paths by response key: an alias is the path', () => {
    const answer = walk('{ mine: me { secret: notes } theirs: account(id: "2") { n: notes } }', user);
    expect(deniedPaths(answer)).toEqual(['mine.secret', 'theirs.n']);
  });

  it('merges fields asked twice at one path into one entry', () => {
    const answer = walk('{ me { notes } ...More } fragment More on Query { me { notes id } }', user);
    expect(deniedPaths(answer)).toEqual(['me.notes']);
  });

  it('expands named fragments, nested fragments and inline fragments', () => {
    const query = `
      query { me { ...Profile } }
      fragment Profile on Account { name ...Private }
      fragment Private on Account { ... { notes } }`;
    expect(deniedPaths(walk(query, user))).toEqual(['me.notes']);
    expect(deniedPaths(walk(query, editor))).toEqual([]);
  });

  it('ends at a fragment cycle (validation refuses one, the walk must not loop)', () => {
    const query = 'query { me { ...A } } fragment A on Account { notes ...B } fragment B on Account { ...A }';
    expect(deniedPaths(walk(query, user))).toEqual(['me.notes']);
  });

  describe('@skip and @include, decided with the request’s variables', () => {
    const query = 'query($secret: Boolean!) { me { name notes @include(if: $secret) } report @skip(if: true) { id } }';

    it('does not count a field a directive leaves out as asked for', () => {
      expect(deniedPaths(walk(query, user, { secret: false }))).toEqual([]);
      expect(deniedPaths(walk(query, user, { secret: true }))).toEqual(['me.notes']);
    });

    it('applies directives on fragment spreads and inline fragments, and variable defaults', () => {
      const spread = `query($full: Boolean = true) { me { ...Notes @include(if: $full) ... @skip(if: $full) { email } } }
        fragment Notes on Account { notes }`;
      expect(deniedPaths(walk(spread, user))).toEqual(['me.notes']);
      expect(ownerPaths(walk(spread, user))).toEqual([]);
      expect(deniedPaths(walk(spread, user, { full: false }))).toEqual([]);
      expect(ownerPaths(walk(spread, user, { full: false }))).toEqual(['me.email']);
    });

    it('lists exactly the variables that decide a directive, wherever they are', () => {
      const document = parse(`query($a: Boolean!, $b: Boolean!, $c: Boolean!, $id: ID!) {
          account(id: $id) @include(if: $a) { ...F }
        }
        fragment F on Account { ... @skip(if: $b) { name @include(if: $c) } notes @include(if: true) }`);
      expect(conditionVariables(document)).toEqual(['a', 'b', 'c']);
    });
  });

  describe('interfaces and unions', () => {
    it('asks a field through an interface of every type that could answer it', () => {
      // Report.id is ADMIN-only (its type's policy): `node { id }` may reach a Report.
      const [denied] = walk('{ node(id: "1") { id } }', user).denied;
      expect(denied).toMatchObject({ path: ['node', 'id'], code: 'FORBIDDEN', requires: ['ADMIN'] });
      expect(walk('{ node(id: "1") { id } }', admin).denied).toEqual([]);
    });

    it('decides a field under a type condition by that type’s policy only', () => {
      const query = '{ node(id: "1") { ... on Article { title reviewNotes } ... on Account { name notes } } }';
      const answer = walk(query, user);
      expect(deniedPaths(answer)).toEqual(['node.notes']);
      expect(ownerPaths(answer)).toEqual(['node.reviewNotes']);
      expect(walk(query, editor)).toEqual({ denied: [], dependsOnOwner: [], recentAuth: [] });
    });

    it('walks the members of a union through their fragments', () => {
      const query = '{ search(text: "x") { __typename ... on Account { notes } ... on Article { reviewNotes } } }';
      expect(deniedPaths(walk(query, user))).toEqual(['search.notes']);
      expect(ownerPaths(walk(query, user))).toEqual(['search.reviewNotes']);
    });

    it('lets a path denied through one type stay denied when another type would allow it', () => {
      // Both answer at `node.x`: one denies it, so the operation asks for something it may not read.
      const query = '{ node(id: "1") { ... on Article { x: title } ... on Account { x: notes } } }';
      expect(deniedPaths(walk(query, user))).toEqual(['node.x']);
    });
  });

  describe('owner rules (SELF), which only the object can decide', () => {
    it('marks an owner-or-role field as depending on the owner for a viewer without the role', () => {
      const answer = walk('{ me { email } account(id: "2") { email } }', user);
      expect(answer.denied).toEqual([]);
      expect(answer.dependsOnOwner).toEqual([
        expect.objectContaining({ path: ['me', 'email'], requires: ['SELF', 'ADMIN'] }),
        expect.objectContaining({ path: ['account', 'email'], requires: ['SELF', 'ADMIN'] }),
      ]);
    });

    it('allows it outright for a viewer holding the role', () => {
      expect(walk('{ me { email } }', admin)).toEqual({ denied: [], dependsOnOwner: [], recentAuth: [] });
    });

    it('marks it as owner-dependent for an anonymous viewer too: a login answer is owned by its caller', () => {
      // decideAccess allows SELF on an object issued to the caller (login, sign-up, refresh) with no token.
      const issued = { id: 'u1', [ISSUED_TO_CALLER]: 'u1' };
      expect(decideAccess(null, ['SELF', 'ADMIN'], issued, (parent: object) => (parent as { id: string }).id)).toEqual({
        allowed: true,
      });
      expect(ownerPaths(walk('{ me { email } }', anonymous))).toEqual(['me.email']);
    });

    it('still walks below an owner-dependent field, and reports what is denied there', () => {
      const answer = walk('{ account(id: "2") { email friends { notes } } }', user);
      expect(deniedPaths(answer)).toEqual(['account.friends.notes']);
    });

    it('depends only on the role set, never on who the viewer is', () => {
      const query = '{ me { email notes } account(id: "u1") { email } }';
      expect(walk(query, user)).toEqual(walk(query, otherUser));
    });
  });

  it('walks mutations from the mutation root', () => {
    expect(deniedPaths(walk('mutation { ping wipe }', user))).toEqual(['wipe']);
    expect(walk('mutation { ping wipe }', anonymous).denied[0]).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('lets meta fields through, as execution does', () => {
    expect(walk('{ __typename me { __typename } }', anonymous)).toEqual({
      denied: [],
      dependsOnOwner: [],
      recentAuth: [],
    });
  });
});

describe.each([
  ['a schema with an interface and a union', async () => buildSchema(SDL)],
  ['the app’s schema', () => buildSchemaForPrinting()],
])('whole-operation authorization: the static decision agrees with the runtime one, on %s', (_name, build) => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await build();
  });
  const viewers: Array<Viewer | null> = [null, ...ALL_ROLES.map((role) => testViewer('v', [role]))];
  const owned = (viewer: Viewer | null) => ({ ownerId: viewer?.id ?? 'nobody' });
  const notOwned = { ownerId: 'someone else' };
  const owner = (parent: object) => (parent as { ownerId: string }).ownerId;

  it('allowed means every object allows it, denied means none does, owner-dependent means only owned ones do', () => {
    for (const { type, field, policy } of fieldsWithPolicies(schema)) {
      if (policy?.kind !== 'rules') continue;
      for (const viewer of viewers) {
        const verdict = decideStatically(viewer, policy);
        const onOwned = decideAccess(viewer, policy.anyOf, owned(viewer), owner).allowed;
        const onOther = decideAccess(viewer, policy.anyOf, notOwned, owner).allowed;
        const label = `${type.name}.${field.name} for ${viewerClass(viewer)}`;
        if (verdict.kind === 'allowed') expect([label, onOwned, onOther]).toEqual([label, true, true]);
        if (verdict.kind === 'denied') expect([label, onOwned, onOther]).toEqual([label, false, false]);
        // Anonymous viewers own nothing by id; their owned objects are those issued to them (above).
        if (verdict.kind === 'dependsOnOwner' && viewer) {
          expect([label, onOwned, onOther]).toEqual([label, true, false]);
        }
      }
    }
  });

  it('treats a public field and a field without a policy as the runtime does: allowed', () => {
    expect(decideStatically(null, { kind: 'public' })).toEqual({ kind: 'allowed' });
    expect(decideStatically(null, undefined)).toEqual({ kind: 'allowed' });
  });

  it('passes the policy’s rules on as `requires`, as the runtime error does', () => {
    const requires: AuthRule[] = ['EDITOR', 'ADMIN'];
    expect(decideStatically(user, { kind: 'rules', anyOf: requires })).toEqual({
      kind: 'denied',
      code: 'FORBIDDEN',
      requires,
    });
  });
});

describe('whole-operation authorization: step-up (@recentAuth), decided per request', () => {
  const schema = buildSchema(SDL);
  const walk = (query: string, viewer: Viewer | null) => {
    const document = parse(query);
    return authorizeOperation({ schema, document, operation: operationOf(document), variables: {}, viewer });
  };
  const LOGIN_MS = Date.UTC(2026, 0, 1, 12, 0, 0);
  /** A viewer whose token proves `amr` as of LOGIN_MS (auth_time is in whole seconds). */
  const authenticated = (
    roles: Role[],
    amr: Viewer['amr'] = ['pwd', 'otp'],
    authTime: number | null = LOGIN_MS / 1000,
  ) => testViewer('u1', roles, { amr, authTime });
  const verdict = (query: string, viewer: Viewer | null, nowMs: number) =>
    decideRecentAuth(walk(query, viewer), viewer, nowMs);
  const deniedPaths = (answer: OperationVerdict) => answer.denied.map((denied) => denied.path.join('.'));

  it('lists a step-up field the role set may read apart, with its requirement, neither allowed nor denied yet', () => {
    const answer = walk('mutation { ping rotateKeys }', authenticated([Role.USER]));
    expect(answer.denied).toEqual([]);
    expect(answer.recentAuth).toEqual([
      expect.objectContaining({
        path: ['rotateKeys'],
        requires: ['SIGNED_IN'],
        requirement: { maxAgeSeconds: 600, factors: 2 },
      }),
    ]);
  });

  it('decides the policy first, as the runtime does: an anonymous caller is told to sign in, not to step up', () => {
    const answer = walk('mutation { rotateKeys }', anonymous);
    expect(answer.recentAuth).toEqual([]);
    expect(answer.denied).toEqual([expect.objectContaining({ path: ['rotateKeys'], code: 'UNAUTHENTICATED' })]);
    expect(answer.denied[0]).not.toHaveProperty('stepUp');
  });

  it('allows an authentication exactly maxAge old and denies it one millisecond later, with what is required', () => {
    const viewer = authenticated([Role.USER]);
    const query = 'mutation { ping rotateKeys }';
    const atEdge = verdict(query, viewer, LOGIN_MS + 600_000);
    expect(atEdge.denied).toEqual([]);
    const past = verdict(query, viewer, LOGIN_MS + 600_001);
    expect(past.denied).toEqual([
      {
        path: ['rotateKeys'],
        code: 'FORBIDDEN',
        requires: ['SIGNED_IN'],
        stepUp: { maxAgeSeconds: 600, factors: 2 },
        locations: [{ line: 1, column: 17 }],
      },
    ]);
  });

  it('counts factors as the runtime does, and refuses a token without auth_time', () => {
    const query = 'mutation { rotateKeys }';
    const now = LOGIN_MS + 1000;
    for (const amr of [['pwd', 'otp'], ['hwk'], ['pwd']] as const) {
      expect([amr, deniedPaths(verdict(query, authenticated([Role.USER], amr), now))]).toEqual([amr, []]);
    }
    expect(deniedPaths(verdict(query, authenticated([Role.USER], ['otp']), now))).toEqual(['rotateKeys']);
    expect(deniedPaths(verdict(query, authenticated([Role.USER], ['pwd', 'otp'], null), now))).toEqual(['rotateKeys']);
  });

  it('puts a step-up denial in document order among the role denials', () => {
    const stale = authenticated([Role.USER], ['pwd', 'otp'], LOGIN_MS / 1000 - 3600);
    expect(deniedPaths(verdict('mutation { wipe rotateKeys ping }', stale, LOGIN_MS))).toEqual(['wipe', 'rotateKeys']);
    expect(deniedPaths(verdict('mutation { rotateKeys wipe }', stale, LOGIN_MS))).toEqual(['rotateKeys', 'wipe']);
    expect(deniedPaths(verdict('mutation { a: wipe rotateKeys b: wipe }', stale, LOGIN_MS))).toEqual([
      'a',
      'rotateKeys',
      'b',
    ]);
  });

  it('denies an owner-dependent step-up field too, and reports nothing below it: it cannot run for anyone', () => {
    const query = '{ me { recovery { id notes } } account(id: "2") { email } }';
    const viewer = authenticated([Role.USER]);
    const fresh = verdict(query, viewer, LOGIN_MS + 300_000);
    expect(deniedPaths(fresh)).toEqual(['me.recovery.notes']);
    expect(fresh.dependsOnOwner.map((field) => field.path.join('.'))).toEqual(['me.recovery', 'account.email']);
    const stale = verdict(query, viewer, LOGIN_MS + 300_001);
    expect(stale.denied).toEqual([
      expect.objectContaining({
        path: ['me', 'recovery'],
        code: 'FORBIDDEN',
        stepUp: { maxAgeSeconds: 300, factors: 1 },
      }),
    ]);
    expect(stale.dependsOnOwner.map((field) => field.path.join('.'))).toEqual(['account.email']);
    // Without a token, execution would ask for one (a login answer is its caller's, but no token proves a recent login).
    expect(verdict('{ me { recovery { id } } }', anonymous, LOGIN_MS).denied).toEqual([
      expect.objectContaining({ path: ['me', 'recovery'], code: 'UNAUTHENTICATED', requires: ['SELF', 'ADMIN'] }),
    ]);
  });

  it('keeps step-ups out of the cache key: one cached answer, a verdict per token and instant', () => {
    const cache = new OperationAuthorizationCache();
    const document = parse('mutation { rotateKeys }');
    const key: OperationKey = { queryHash: 'step-up', operationIndex: 0 };
    const fresh = authenticated([Role.USER]);
    const stale = testViewer('u2', [Role.USER], { amr: ['pwd', 'otp'], authTime: LOGIN_MS / 1000 - 601 });
    const walkFor = (viewer: Viewer) =>
      jest.fn(() => authorizeOperation({ schema, document, operation: operationOf(document), variables: {}, viewer }));
    const first = walkFor(fresh);
    const forFresh = cache.answer(key, [], fresh, {}, first);
    const second = walkFor(stale);
    const forStale = cache.answer(key, [], stale, {}, second);
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).not.toHaveBeenCalled();
    expect(forStale).toBe(forFresh);
    expect(deniedPaths(decideRecentAuth(forFresh, fresh, LOGIN_MS))).toEqual([]);
    expect(deniedPaths(decideRecentAuth(forStale, stale, LOGIN_MS))).toEqual(['rotateKeys']);
    // The same token, later: the clock decides, not what was cached.
    expect(deniedPaths(decideRecentAuth(forFresh, fresh, LOGIN_MS + 600_001))).toEqual(['rotateKeys']);
  });

  it('finds every step-up root field of the app’s schema, with the requirement the runtime enforces', async () => {
    const app = await buildSchemaForPrinting();
    const everyRole = testViewer('v', ALL_ROLES, { amr: ['pwd', 'otp'], authTime: LOGIN_MS / 1000 });
    let found = 0;
    for (const root of [app.getQueryType(), app.getMutationType()]) {
      for (const field of Object.values(root?.getFields() ?? {})) {
        const requirement = recentAuthOf(field);
        if (!requirement) continue;
        found++;
        const keyword = root === app.getMutationType() ? 'mutation' : 'query';
        const document = parse(`${keyword} { ${field.name} }`);
        const args = { schema: app, document, operation: operationOf(document), variables: {}, viewer: everyRole };
        const answer = authorizeOperation(args);
        expect([field.name, answer.recentAuth.map((entry) => entry.requirement)]).toEqual([field.name, [requirement]]);
        const later = LOGIN_MS + requirement.maxAgeSeconds * 1000 + 1;
        expect([field.name, deniedPaths(decideRecentAuth(answer, everyRole, later))]).toEqual([
          field.name,
          [field.name],
        ]);
      }
    }
    expect(found).toBeGreaterThan(0);
  });

  it('costs nothing for an operation without step-up fields: the cached answer is the verdict', () => {
    const answer = walk('{ me { id } }', authenticated([Role.USER]));
    expect(decideRecentAuth(answer, authenticated([Role.USER]), LOGIN_MS)).toBe(answer);
  });
});

describe('whole-operation authorization: the cache', () => {
  const schema = buildSchema(SDL);
  const query = 'query($a: Boolean!, $id: ID!) { account(id: $id) { notes @include(if: $a) } }';
  const document = parse(query);
  const operation = operationOf(document);
  const key: OperationKey = { queryHash: 'hash-of-the-query', operationIndex: 0 };
  const conditions = ['a'];
  const walkFor = (viewer: Viewer | null, variables: Record<string, unknown>) => () =>
    authorizeOperation({ schema, document, operation, variables, viewer });
  const answerOf = (
    cache: OperationAuthorizationCache,
    of: { document: DocumentNode; hash: string },
    viewer: Viewer | null,
    walk?: () => OperationAuthorization,
  ) => {
    const operationKey = { queryHash: of.hash, operationIndex: 0 };
    const names = cache.conditionVariables(operationKey, of.document);
    return cache.answer(
      operationKey,
      names,
      viewer,
      {},
      walk ??
        (() =>
          authorizeOperation({
            schema,
            document: of.document,
            operation: operationOf(of.document),
            variables: {},
            viewer,
          })),
    );
  };

  it('walks once per document, role set and condition values, then answers from memory', () => {
    const cache = new OperationAuthorizationCache();
    const walk = jest.fn(walkFor(user, { a: true }));
    const first = cache.answer(key, conditions, user, { a: true, id: '1' }, walk);
    const again = cache.answer(key, conditions, user, { a: true, id: '2' }, walk);
    expect(walk).toHaveBeenCalledTimes(1);
    expect(again).toBe(first);
    cache.answer(key, conditions, user, { a: false, id: '1' }, walk);
    cache.answer(key, conditions, admin, { a: true, id: '1' }, walk);
    expect(walk).toHaveBeenCalledTimes(3);
  });

  it('keeps the condition variables of a document, so that the next request does not look for them', () => {
    const cache = new OperationAuthorizationCache();
    expect(cache.conditionVariables(key, document)).toEqual(['a']);
    // Same key, another document: the kept names answer (Apollo's hash names one text).
    expect(cache.conditionVariables(key, parse('{ me { id } }'))).toEqual(['a']);
  });

  it('shares an answer between viewers of the same role set, whoever they are and in whatever order their roles', () => {
    const vars = { a: true, id: '1' };
    expect(keyOfAnswer(key, conditions, user, vars)).toBe(keyOfAnswer(key, conditions, otherUser, vars));
    const twoRoles = testViewer('x', [Role.USER, Role.ADMIN]);
    const reversed = testViewer('y', [Role.ADMIN, Role.USER]);
    expect(keyOfAnswer(key, conditions, twoRoles, vars)).toBe(keyOfAnswer(key, conditions, reversed, vars));
  });

  it('tells apart anonymous, each role set, each operation of a document and each condition value', () => {
    const vars = { a: true, id: '1' };
    const keys = [
      keyOfAnswer(key, conditions, anonymous, vars),
      keyOfAnswer(key, conditions, user, vars),
      keyOfAnswer(key, conditions, editor, vars),
      keyOfAnswer(key, conditions, admin, vars),
      keyOfAnswer(key, conditions, user, { a: false, id: '1' }),
      keyOfAnswer(key, conditions, user, { id: '1' }),
      keyOfAnswer(key, conditions, user, { a: null, id: '1' }),
      keyOfAnswer({ ...key, operationIndex: 1 }, conditions, user, vars),
      keyOfAnswer({ ...key, queryHash: 'another' }, conditions, user, vars),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('ignores variables no directive reads: an id does not make a new entry', () => {
    expect(keyOfAnswer(key, conditions, user, { a: true, id: '1' })).toBe(
      keyOfAnswer(key, conditions, user, { a: true, id: '2' }),
    );
  });

  it('keeps owner-dependent fields as such, so a cached answer never allows them outright', () => {
    const cache = new OperationAuthorizationCache();
    const owner = { document: parse('{ account(id: "1") { email } }'), hash: 'owner' };
    const answer = answerOf(cache, owner, user);
    const again = answerOf(cache, owner, otherUser, () => {
      throw new Error('walked again');
    });
    expect(again).toBe(answer);
    expect(again.denied).toEqual([]);
    expect(again.dependsOnOwner.map((field) => field.path)).toEqual([['account', 'email']]);
  });

  it('holds at most maxEntries answers, dropping the least recently used', () => {
    const cache = new OperationAuthorizationCache({ maxEntries: 3, maxPaths: 1000, maxNameCharacters: 1_000_000 });
    const plain = parse('{ me { notes } }');
    const of = (hash: string) => ({ document: plain, hash });
    for (const hash of ['1', '2', '3', '1', '4']) answerOf(cache, of(hash), user); // '1' used again: '2' is the oldest
    expect(cache.size.entries).toBe(3);
    const walked = jest.fn(() => ({ denied: [], dependsOnOwner: [], recentAuth: [] }));
    answerOf(cache, of('1'), user, walked);
    expect(walked).not.toHaveBeenCalled();
    answerOf(cache, of('2'), user, walked);
    expect(walked).toHaveBeenCalledTimes(1);
  });

  it('holds at most maxPaths paths over all answers, however many a document denies', () => {
    const cache = new OperationAuthorizationCache({ maxEntries: 1000, maxPaths: 10, maxNameCharacters: 1_000_000 });
    const wide = parse(`{ ${Array.from({ length: 4 }, (_, i) => `a${i}: report { id }`).join(' ')} }`);
    for (let i = 0; i < 20; i++) {
      expect(answerOf(cache, { document: wide, hash: `wide-${i}` }, user).denied).toHaveLength(4);
      expect(cache.size.paths).toBeLessThanOrEqual(10);
    }
    expect(cache.size).toEqual({ entries: 2, paths: 8, characters: 16 });
  });

  it('answers but does not keep an answer larger than the whole budget', () => {
    const cache = new OperationAuthorizationCache({ maxEntries: 10, maxPaths: 2, maxNameCharacters: 1_000_000 });
    const wide = parse('{ a: report { id } b: report { id } c: report { id } }');
    expect(answerOf(cache, { document: wide, hash: 'w' }, user).denied).toHaveLength(3);
    expect(cache.size).toEqual({ entries: 0, paths: 0, characters: 0 });
  });
});

describe('whole-operation authorization: the cache’s memory', () => {
  const schema = buildSchema(SDL);
  // A full collection between measurements (jest runs without --expose-gc): memory, not time, is measured.
  v8.setFlagsFromString('--expose-gc');
  const collect = runInNewContext('gc') as () => void;
  const heapAfterCollection = () => {
    collect();
    return process.memoryUsage().heapUsed;
  };
  /** A document of about 30 KB as a request body brings it: its own string, not a literal of this file. */
  const bigDocument = (i: number) => {
    const name = `longish_alias_name_${i}`;
    const text = `query($${name}_if: Boolean = true) { ${name}: report @include(if: $${name}_if) { id } }\n# ${'x'.repeat(30_000)}`;
    return JSON.parse(JSON.stringify(text)) as string;
  };

  it('keeps copies of names, not slices that keep each query text alive', () => {
    const cache = new OperationAuthorizationCache();
    const before = heapAfterCollection();
    for (let i = 0; i < 200; i++) {
      const document = parse(bigDocument(i));
      const key = { queryHash: `doc-${i}`, operationIndex: 0 };
      const conditions = cache.conditionVariables(key, document);
      const variables = coerce(schema, operationOf(document), {});
      cache.answer(key, conditions, user, variables, () =>
        authorizeOperation({ schema, document, operation: operationOf(document), variables, viewer: user }),
      );
    }
    expect(cache.size).toMatchObject({ entries: 200, paths: 200 });
    // 200 texts of 30 KB would be 6 MB; 200 answers of one short path, well under 1 MB.
    expect(heapAfterCollection() - before).toBeLessThan(1024 * 1024);
  });

  it('holds at most maxNameCharacters characters of names, however long a client makes them', () => {
    const cache = new OperationAuthorizationCache({ maxEntries: 1000, maxPaths: 1000, maxNameCharacters: 1000 });
    const named = (alias: string, i: number) => {
      const document = parse(`query($${alias}: Boolean = true) { ${alias}: report @include(if: $${alias}) { id } }`);
      const key = { queryHash: `named-${i}`, operationIndex: 0 };
      const conditions = cache.conditionVariables(key, document);
      return cache.answer(key, conditions, user, { [alias]: true }, () =>
        authorizeOperation({
          schema,
          document,
          operation: operationOf(document),
          variables: { [alias]: true },
          viewer: user,
        }),
      );
    };
    for (let i = 0; i < 10; i++) {
      expect(named(`a${i}_${'n'.repeat(300)}`, i).denied).toHaveLength(1);
      expect(cache.size.characters).toBeLessThanOrEqual(1000);
    }
    expect(cache.size).toEqual({ entries: 3, paths: 3, characters: 3 * 303 });
    // One name over the whole budget: answered, not kept.
    expect(named('b'.repeat(1001), 99).denied).toHaveLength(1);
    expect(cache.size.entries).toBe(3);
  });
});

describe('whole-operation authorization: the plugin', () => {
  // Only `request` is read when the request starts; the rest of Apollo's context is not needed here.
  const start = (plugin: ReturnType<typeof operationAuthorizationPlugin>, extensions?: Record<string, unknown>) =>
    plugin.requestDidStart!({ request: { query: '{ me { id } }', extensions } } as never);

  it('gives a request that does not ask, under the partial default, no listener at all: it pays nothing more', async () => {
    const plugin = operationAuthorizationPlugin({ defaultMode: 'partial' });
    expect(await start(plugin)).toBeUndefined();
    expect(await start(plugin, { somethingElse: true })).toBeUndefined();
  });

  it('listens to a request that asks, and to every request under the reject default', async () => {
    expect(await start(operationAuthorizationPlugin({ defaultMode: 'partial' }), { authorization: 'reject' })).toEqual(
      expect.objectContaining({ didResolveOperation: expect.any(Function) }),
    );
    expect(await start(operationAuthorizationPlugin({ defaultMode: 'reject' }))).toEqual(
      expect.objectContaining({ didResolveOperation: expect.any(Function) }),
    );
  });
});

describe('AUTHORIZATION_MODE', () => {
  const base = { NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(40) };

  it('defaults to partial results and accepts reject', () => {
    expect(loadConfig(base).authorizationMode).toBe('partial');
    expect(loadConfig({ ...base, AUTHORIZATION_MODE: 'reject' }).authorizationMode).toBe('reject');
    expect(loadConfig({ ...base, AUTHORIZATION_MODE: 'partial' }).authorizationMode).toBe('partial');
  });

  it.each(['dryRun', 'REJECT', 'strict', 'partial,reject'])('refuses %j, naming the variable', (value) => {
    expect(() => loadConfig({ ...base, AUTHORIZATION_MODE: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, AUTHORIZATION_MODE: value })).toThrow(
      /^AUTHORIZATION_MODE: must be one of partial, reject/,
    );
  });
});
