import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildSchema,
  getNamedType,
  isCompositeType,
  isNonNullType,
  type GraphQLFormattedError,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { MODULES } from '../../src/modules';
import { Role } from '../../src/auth/roles';
import { can, fieldPolicies, type FieldCoordinate } from '../../client/src';
import { Subscriber, type Result } from '../fixtures/subscription-client';
import { SoftwareAuthenticator } from '../fixtures/webauthn/software-authenticator';
import { TEST_PASSWORD, startTestServer, type SignedIn, type TestServer } from '../helpers/test-server';
import { markEmailVerified } from '../helpers/verified-email';
import { matrixProbeModule } from './helpers/matrix-probe';

/**
 * For every field of the schema (every key of the generated policy map, so a new type is
 * covered the day it is generated) and every viewer, `can` must say what the server does:
 * the server is asked with a request selecting that field, and answers with the value or with
 * null and FORBIDDEN / UNAUTHENTICATED (carrying `requires`) at the field's path.
 *
 * Reaching a field needs a way in. Root fields have one probe each below; other types are
 * reached through matrixProbeModule's public roots (which open the way in, never a field).
 * A coordinate with no probe fails with its name: add one here.
 */

const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';
const schema: GraphQLSchema = buildSchema(readFileSync(path.resolve(__dirname, '../../schema/schema.graphql'), 'utf8'));

type ViewerName = 'anonymous' | 'USER reading self' | 'USER reading another' | 'EDITOR' | 'ADMIN';
const VIEWERS: readonly ViewerName[] = ['anonymous', 'USER reading self', 'USER reading another', 'EDITOR', 'ADMIN'];

interface Caller {
  /** Who the request is sent as: null for anonymous. */
  readonly as: (SignedIn & { readonly roles: readonly Role[] }) | null;
  /** Whose objects are read (the owner in `can`'s context). */
  readonly targetUserId: string;
}

interface Probe {
  readonly document: string;
  readonly variables?: Record<string, unknown>;
  /** Where the field's value (or its error) is in the answer. */
  readonly path: readonly (string | number)[];
  /** Logging out ends the session it is sent with: send it as a fresh user with the same roles. */
  readonly consumesSession?: boolean;
  /** A subscription: asked over WebSocket, with `trigger` causing the event it delivers. */
  readonly trigger?: () => Promise<void>;
  readonly after?: (data: Record<string, unknown> | null | undefined) => void;
}

/** What the test server holds for probes to reach. */
interface World {
  /** A PUBLISHED article (readable by anyone) written by this user. */
  articleBy(userId: string): string;
  /** Publishes a new article (an `articlePublished` event). */
  publishArticle(): Promise<void>;
  /** Changes an article's review notes (an `articleChanged` event). */
  touchArticle(id: string): Promise<void>;
}

interface ProbeContext {
  readonly caller: Caller;
  readonly world: World;
  /** The field with a minimal selection: `email`, or `node { __typename }` for an object. */
  readonly selection: string;
}

/** The selection that reads `field` of `type` and nothing under it that has a policy of its own. */
function selectionOf(type: GraphQLObjectType, field: string): string {
  const definition = type.getFields()[field];
  if (!definition) throw new Error(`${type.name}.${field} is in the generated map but not in schema/schema.graphql`);
  const required = definition.args.filter((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);
  if (required.length > 0) {
    throw new Error(`${type.name}.${field} has required arguments: give it a probe of its own in ROOT_PROBES`);
  }
  return isCompositeType(getNamedType(definition.type)) ? `${field} { __typename }` : field;
}

let refreshToken = '';

/** Root fields: each with arguments that pass the policy check and then fail or change nothing. */
const ROOT_PROBES: Partial<Record<string, (context: ProbeContext) => Probe>> = {
  'Query.auditEvents': () => ({ document: '{ auditEvents(first: 1) { __typename } }', path: ['auditEvents'] }),
  'Query.me': () => ({ document: '{ me { __typename } }', path: ['me'] }),
  'Query.mySessions': () => ({ document: '{ mySessions { __typename } }', path: ['mySessions'] }),
  'Query.user': ({ caller }) => ({
    document: 'query($id: ID!) { user(id: $id) { __typename } }',
    variables: { id: caller.targetUserId },
    path: ['user'],
  }),
  'Query.users': () => ({ document: '{ users(first: 1) { __typename } }', path: ['users'] }),
  'Query.article': ({ caller, world }) => ({
    document: 'query($id: ID!) { article(id: $id) { __typename } }',
    variables: { id: world.articleBy(caller.targetUserId) },
    path: ['article'],
  }),
  'Query.articles': () => ({ document: '{ articles(first: 1) { __typename } }', path: ['articles'] }),
  'Subscription.articlePublished': ({ world }) => ({
    document: 'subscription { articlePublished { __typename } }',
    path: ['articlePublished'],
    trigger: () => world.publishArticle(),
  }),
  'Subscription.articleChanged': ({ caller, world }) => {
    const id = world.articleBy(caller.targetUserId);
    return {
      document: 'subscription($id: ID!) { articleChanged(id: $id) { __typename } }',
      variables: { id },
      path: ['articleChanged'],
      trigger: () => world.touchArticle(id),
    };
  },
  'Mutation.verifyEmail': () => ({
    document: `mutation { verifyEmail(token: "${'x'.repeat(43)}") }`,
    path: ['verifyEmail'],
  }),
  'Mutation.resendVerification': () => ({
    document: 'mutation { resendVerification(email: "nobody@example.com") }',
    path: ['resendVerification'],
  }),
  'Mutation.changeEmail': () => ({
    document: 'mutation { changeEmail(newEmail: "new@example.com", currentPassword: "not the password") }',
    path: ['changeEmail'],
  }),
  'Mutation.requestPasswordReset': () => ({
    document: 'mutation { requestPasswordReset(email: "nobody@example.com") }',
    path: ['requestPasswordReset'],
  }),
  'Mutation.resetPassword': () => ({
    document: `mutation { resetPassword(token: "${'x'.repeat(43)}", newPassword: "a new long password") }`,
    path: ['resetPassword'],
  }),
  'Mutation.verifyMfa': () => ({
    document: `mutation { verifyMfa(challenge: "${'x'.repeat(43)}", code: "000000") { __typename } }`,
    path: ['verifyMfa'],
  }),
  'Mutation.reauthenticate': () => ({
    document: 'mutation { reauthenticate(password: "not the password") { __typename } }',
    path: ['reauthenticate'],
  }),
  // A wrong password: the policy lets the caller in, the proof in the call stops them; nothing changes.
  'Mutation.startTotpEnrollment': () => ({
    document: 'mutation { startTotpEnrollment(currentPassword: "not the password") { __typename } }',
    path: ['startTotpEnrollment'],
  }),
  'Mutation.confirmTotpEnrollment': () => ({
    document: 'mutation { confirmTotpEnrollment(code: "not a code") { __typename } }',
    path: ['confirmTotpEnrollment'],
  }),
  // The callers have no second factor: there are no codes to replace and nothing to turn off.
  'Mutation.regenerateRecoveryCodes': () => ({
    document: 'mutation { regenerateRecoveryCodes(currentPassword: "not the password") { __typename } }',
    path: ['regenerateRecoveryCodes'],
  }),
  'Mutation.disableTotp': () => ({
    document: 'mutation { disableTotp(currentPassword: "not the password") }',
    path: ['disableTotp'],
  }),
  'Mutation.resetUserTwoFactor': () => ({
    document: 'mutation($id: ID!) { resetUserTwoFactor(userId: $id) }',
    variables: { id: NO_SUCH_ID },
    path: ['resetUserTwoFactor'],
  }),
  'Mutation.createArticle': () => ({
    // An empty title is refused after the policy check: no article is created.
    document: 'mutation { createArticle(input: { title: "", body: "" }) { __typename } }',
    path: ['createArticle'],
  }),
  'Mutation.updateArticle': () => ({
    document: 'mutation($id: ID!) { updateArticle(id: $id, input: { title: "t" }) { __typename } }',
    variables: { id: NO_SUCH_ID },
    path: ['updateArticle'],
  }),
  ...Object.fromEntries(
    ['submitArticle', 'unpublishArticle', 'setArticleReviewNotes', 'deleteArticle'].map((name) => [
      `Mutation.${name}`,
      (): Probe => ({
        document: `mutation($id: ID!) { ${name}(id: $id)${name === 'deleteArticle' ? '' : ' { __typename }'} }`,
        variables: { id: NO_SUCH_ID },
        path: [name],
      }),
    ]),
  ),
  'Mutation.publishArticle': () => ({
    document: 'mutation($id: ID!) { publishArticle(id: $id, revision: 1) { __typename } }',
    variables: { id: NO_SUCH_ID },
    path: ['publishArticle'],
  }),
  'Mutation.setUserRoles': () => ({
    document: 'mutation($id: ID!) { setUserRoles(userId: $id, roles: [USER]) { __typename } }',
    variables: { id: NO_SUCH_ID },
    path: ['setUserRoles'],
  }),
  'Mutation.setUserDisabled': () => ({
    document: 'mutation($id: ID!) { setUserDisabled(userId: $id, disabled: false) { __typename } }',
    variables: { id: NO_SUCH_ID },
    path: ['setUserDisabled'],
  }),
  'Mutation.signUp': () => ({
    // Refused for its short password, after the policy check: no account is created.
    document:
      'mutation { signUp(input: { email: "matrix@example.com", password: "short", displayName: "M" }) { __typename } }',
    path: ['signUp'],
  }),
  'Mutation.login': () => ({
    document: 'mutation { login(email: "nobody@example.com", password: "not the password") { __typename } }',
    path: ['login'],
  }),
  'Mutation.refresh': () => ({
    document: `mutation { refresh(refreshToken: "${'x'.repeat(43)}") { __typename } }`,
    path: ['refresh'],
  }),
  'Mutation.changePassword': () => ({
    // A wrong current password: refused after the policy check, nothing changes.
    document: 'mutation { changePassword(currentPassword: "not the password", newPassword: "a new long password") }',
    path: ['changePassword'],
  }),
  'Mutation.logout': () => ({ document: 'mutation { logout }', path: ['logout'], consumesSession: true }),
  'Mutation.logoutAll': () => ({
    document: 'mutation { logoutAll(keepCurrent: true) }',
    path: ['logoutAll'],
    consumesSession: true,
  }),
  'Query.myPasskeys': () => ({ document: '{ myPasskeys { __typename } }', path: ['myPasskeys'] }),
  // A wrong password: the policy lets the caller in, the proof in the call stops them (an
  // unverified caller is stopped before it); no challenge is stored.
  'Mutation.startPasskeyRegistration': () => ({
    document: 'mutation { startPasskeyRegistration(currentPassword: "not the password") { __typename } }',
    path: ['startPasskeyRegistration'],
  }),
  'Mutation.startPasskeyLogin': () => ({
    document: 'mutation { startPasskeyLogin { __typename } }',
    path: ['startPasskeyLogin'],
  }),
  // The USER caller has a passkey, EDITOR and ADMIN none: options, or BAD_USER_INPUT after the policy check.
  'Mutation.startPasskeyReauthentication': () => ({
    document: 'mutation { startPasskeyReauthentication { __typename } }',
    path: ['startPasskeyReauthentication'],
  }),
  // An unreadable browser answer: refused after the policy check (BAD_USER_INPUT, or
  // UNAUTHENTICATED / PASSKEY_INVALID without `requires`), no passkey stored, no session opened.
  ...Object.fromEntries(
    ['finishPasskeyRegistration', 'finishPasskeyLogin', 'finishPasskeyReauthentication'].map((name) => [
      `Mutation.${name}`,
      (): Probe => ({
        document: `mutation { ${name}(response: "{}") { __typename } }`,
        path: [name],
      }),
    ]),
  ),
  'Mutation.renamePasskey': () => ({
    document: 'mutation($id: ID!) { renamePasskey(id: $id, name: "Renamed") { __typename } }',
    variables: { id: NO_SUCH_ID },
    path: ['renamePasskey'],
  }),
  'Mutation.removePasskey': () => ({
    document: 'mutation($id: ID!) { removePasskey(id: $id) }',
    variables: { id: NO_SUCH_ID },
    path: ['removePasskey'],
  }),
  'Mutation.revokeSession': () => ({
    document: 'mutation($id: ID!) { revokeSession(id: $id) }',
    variables: { id: NO_SUCH_ID },
    path: ['revokeSession'],
  }),
};

/** Other types: how to reach an object of the type that belongs to the target user. */
const TYPE_PROBES: Partial<Record<string, (context: ProbeContext) => Probe>> = {
  User: ({ caller, selection }) => ({
    document: `query($id: ID!) { matrixUser(id: $id) { ${selection} } }`,
    variables: { id: caller.targetUserId },
    path: ['matrixUser', lastName(selection)],
  }),
  Session: ({ caller, selection }) => ({
    document: `query($id: ID!) { matrixSessions(userId: $id) { ${selection} } }`,
    variables: { id: caller.targetUserId },
    path: ['matrixSessions', 0, lastName(selection)],
  }),
  AuditEvent: ({ caller, selection }) => ({
    document: `query($id: ID!) { matrixAuditEvents(userId: $id) { edges { node { ${selection} } } } }`,
    variables: { id: caller.targetUserId },
    path: ['matrixAuditEvents', 'edges', 0, 'node', lastName(selection)],
  }),
  AuditEventConnection: ({ caller, selection }) => ({
    document: `query($id: ID!) { matrixAuditEvents(userId: $id) { ${selection} } }`,
    variables: { id: caller.targetUserId },
    path: ['matrixAuditEvents', lastName(selection)],
  }),
  AuditEventEdge: ({ caller, selection }) => ({
    document: `query($id: ID!) { matrixAuditEvents(userId: $id) { edges { ${selection} } } }`,
    variables: { id: caller.targetUserId },
    path: ['matrixAuditEvents', 'edges', 0, lastName(selection)],
  }),
  Article: ({ caller, world, selection }) => ({
    document: `query($id: ID!) { article(id: $id) { ${selection} } }`,
    variables: { id: world.articleBy(caller.targetUserId) },
    path: ['article', lastName(selection)],
  }),
  ArticleConnection: ({ caller, selection }) => ({
    document: `query($author: ID!) { articles(authorId: $author, status: PUBLISHED, first: 1) { ${selection} } }`,
    variables: { author: caller.targetUserId },
    path: ['articles', lastName(selection)],
  }),
  ArticleEdge: ({ caller, selection }) => ({
    document: `query($author: ID!) { articles(authorId: $author, status: PUBLISHED, first: 1) { edges { ${selection} } } }`,
    variables: { author: caller.targetUserId },
    path: ['articles', 'edges', 0, lastName(selection)],
  }),
  Passkey: ({ caller, selection }) => ({
    document: `query($id: ID!) { matrixPasskeys(userId: $id) { ${selection} } }`,
    variables: { id: caller.targetUserId },
    path: ['matrixPasskeys', 0, lastName(selection)],
  }),
  ...Object.fromEntries(
    [
      'TotpEnrollment',
      'RecoveryCodes',
      'TwoFactorStatus',
      'ReauthenticatePayload',
      'PasskeyCeremonyOptions',
      'PasskeyLoginOptions',
    ].map((type) => [
      type,
      ({ selection }: ProbeContext): Probe => ({
        document: `{ matrix${type} { ${selection} } }`,
        path: [`matrix${type}`, lastName(selection)],
      }),
    ]),
  ),
  UserConnection: ({ selection }) => ({
    document: `{ matrixUsers { ${selection} } }`,
    path: ['matrixUsers', lastName(selection)],
  }),
  UserEdge: ({ selection }) => ({
    document: `{ matrixUsers { edges { ${selection} } } }`,
    path: ['matrixUsers', 'edges', 0, lastName(selection)],
  }),
  PageInfo: ({ selection }) => ({
    document: `{ matrixUsers { pageInfo { ${selection} } } }`,
    path: ['matrixUsers', 'pageInfo', lastName(selection)],
  }),
  // A real refresh, chained: each answer's refresh token is the next request's.
  AuthPayload: ({ selection }) => ({
    document: `mutation($token: String!) { refresh(refreshToken: $token) { refreshToken ${selection} } }`,
    variables: { token: refreshToken },
    path: ['refresh', lastName(selection)],
    after: (data) => {
      refreshToken = (data?.refresh as { refreshToken: string }).refreshToken;
    },
  }),
};

function lastName(selection: string): string {
  return selection.split(' ')[0]!;
}

function probeFor(coordinate: string, caller: Caller, world: World): Probe {
  const [typeName, field] = coordinate.split('.') as [string, string];
  const type = schema.getType(typeName) as GraphQLObjectType | undefined;
  if (!type) throw new Error(`${coordinate}: no type ${typeName} in schema/schema.graphql`);
  if (typeName === 'Query' || typeName === 'Mutation' || typeName === 'Subscription') {
    const root = ROOT_PROBES[coordinate];
    if (!root) {
      throw new Error(
        `No probe asks the server about ${coordinate}: add '${coordinate}' to ROOT_PROBES in ` +
          'test/client/permission-matrix.test.ts (arguments that pass the policy check, then change nothing' +
          (typeName === 'Subscription'
            ? '; subscriptions are served over WebSocket only, see test/fixtures/subscription-client.ts)'
            : ')'),
      );
    }
    return root({ caller, world, selection: field });
  }
  const reach = TYPE_PROBES[typeName];
  if (!reach) {
    throw new Error(
      `No probe reaches ${coordinate}: add ${typeName} to TYPE_PROBES in test/client/permission-matrix.test.ts ` +
        '(a way to an object of it owned by the target user)',
    );
  }
  return reach({ caller, world, selection: selectionOf(type, field) });
}

const samePath = (a: readonly unknown[] | undefined, b: readonly unknown[]) =>
  a !== undefined && a.length === b.length && a.every((part, i) => part === b[i]);

const isPolicyError = (error: GraphQLFormattedError) =>
  (error.extensions?.code === 'FORBIDDEN' || error.extensions?.code === 'UNAUTHENTICATED') &&
  Array.isArray(error.extensions?.requires);

function valueAt(data: unknown, at: readonly (string | number)[]): unknown {
  return at.reduce<unknown>((value, key) => (value as Record<string | number, unknown> | null)?.[key], data);
}

describe('the permission matrix: can() agrees with the server on every field, for every viewer', () => {
  let server: TestServer;
  const callers = new Map<ViewerName, Caller>();
  let freshUsers = 0;

  beforeAll(async () => {
    server = await startTestServer('sqlite', {
      modules: [...MODULES, matrixProbeModule()],
      env: { SIGNUP_MAX_PER_IP: '1000', LOGIN_MAX_FAILURES_PER_IP: '1000', LOGIN_MAX_FAILURES_PER_EMAIL_IP: '1000' },
    });
    const signedIn = async (email: string, roles: readonly Role[]) => ({
      ...(await server.signIn(email, roles)),
      roles,
    });
    const owner = await signedIn('owner@example.com', [Role.USER]);
    const other = await signedIn('other@example.com', [Role.USER]);
    const editor = await signedIn('editor@example.com', [Role.EDITOR]);
    const admin = await signedIn('admin@example.com', [Role.ADMIN]);
    callers.set('anonymous', { as: null, targetUserId: owner.id });
    callers.set('USER reading self', { as: owner, targetUserId: owner.id });
    callers.set('USER reading another', { as: owner, targetUserId: other.id });
    callers.set('EDITOR', { as: editor, targetUserId: owner.id });
    callers.set('ADMIN', { as: admin, targetUserId: owner.id });
    refreshToken = (await server.signIn('payload@example.com', [Role.USER])).refreshToken;
    for (const author of [owner, other]) articles.set(author.id, await publishedArticle(author, editor));
    for (const user of [owner, other]) await registerPasskey(user);
    publisher = { author: other, editor };
  });

  let publisher: { author: SignedIn; editor: SignedIn };
  let touches = 0;

  const articles = new Map<string, string>();
  const world: World = {
    articleBy(userId) {
      const id = articles.get(userId);
      if (!id) throw new Error(`no article by ${userId}`);
      return id;
    },
    async publishArticle() {
      await publishedArticle(publisher.author, publisher.editor);
    },
    async touchArticle(id) {
      touches += 1;
      await gql(
        'mutation($id: ID!, $notes: String) { setArticleReviewNotes(id: $id, reviewNotes: $notes) { id } }',
        { id, notes: `Notes ${touches}.` },
        publisher.editor,
      );
    },
  };

  /**
   * A subscription's first event, or how it was refused. The event is caused again until one
   * arrives (the subscription may not be listening yet); only its content is judged.
   */
  async function firstEvent(probe: Probe, token: string | undefined): Promise<Result> {
    const subscriber = new Subscriber(server.url, token ? { token } : {});
    try {
      if (!(await subscriber.acknowledged)) throw new Error('the WebSocket connection was refused');
      const feed = subscriber.subscribe(probe.document, probe.variables ?? {});
      for (let attempt = 0; attempt < 50; attempt++) {
        if (feed.ended) {
          const refusal = feed.ended.error;
          return { errors: Array.isArray(refusal) ? refusal : [{ message: String(refusal) }] };
        }
        await probe.trigger!();
        const result = await feed.next(500).catch(() => null);
        if (result) return result;
      }
      throw new Error('no event arrived after 50 triggers');
    } finally {
      await subscriber.dispose();
    }
  }

  async function gql<Answer = { id: string }>(query: string, variables: Record<string, unknown>, as: SignedIn) {
    const response = await server.post({ query, variables }, { authorization: `Bearer ${as.accessToken}` });
    const body = (await response.json()) as { data?: Record<string, Answer> | null; errors?: unknown[] };
    if (body.errors || !body.data) throw new Error(`setup failed: ${JSON.stringify(body.errors)}`);
    return body.data;
  }

  /** A PUBLISHED article by `author` (anyone may see it, so only field policies decide). */
  async function publishedArticle(author: SignedIn, editor: SignedIn): Promise<string> {
    const created = await gql(
      'mutation { createArticle(input: { title: "Matrix", body: "Body." }) { id } }',
      {},
      author,
    );
    const id = created.createArticle!.id;
    await gql('mutation($id: ID!) { submitArticle(id: $id) { id } }', { id }, author);
    await gql('mutation($id: ID!) { setArticleReviewNotes(id: $id, reviewNotes: "Notes.") { id } }', { id }, editor);
    // Written once and never edited: the text the editor reviewed is revision 1.
    await gql('mutation($id: ID!) { publishArticle(id: $id, revision: 1) { id } }', { id }, editor);
    return id;
  }

  /** A real passkey row for `user` (their address verified first), made through the ceremony by a software authenticator. */
  async function registerPasskey(user: SignedIn): Promise<void> {
    const { rpId, origins } = server.config.passkeys ?? {};
    if (!rpId || !origins?.[0]) throw new Error('setup failed: the test server has passkeys turned off');
    await markEmailVerified(server, user.id);
    const authenticator = new SoftwareAuthenticator({ origin: origins[0], rpId });
    const started = await gql<{ options: string }>(
      'mutation($password: String!) { startPasskeyRegistration(currentPassword: $password) { options } }',
      { password: TEST_PASSWORD },
      user,
    );
    await gql(
      'mutation($response: String!) { finishPasskeyRegistration(response: $response, name: "Matrix") { id } }',
      { response: authenticator.register(started.startPasskeyRegistration!.options) },
      user,
    );
  }
  afterAll(() => server.close());

  async function tokenFor(caller: Caller, probe: Probe): Promise<string | undefined> {
    if (!caller.as) return undefined;
    if (!probe.consumesSession) return caller.as.accessToken;
    freshUsers += 1;
    return (await server.signIn(`matrix-fresh-${freshUsers}@example.com`, caller.as.roles)).accessToken;
  }

  /** What the server answers: may `caller` read the field at `probe.path`? */
  async function serverAllows(coordinate: string, caller: Caller, probe: Probe): Promise<boolean> {
    const token = await tokenFor(caller, probe);
    let body: { data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[] };
    if (probe.trigger) {
      body = (await firstEvent(probe, token)) as typeof body;
    } else {
      const response = await server.post(
        { query: probe.document, variables: probe.variables ?? {} },
        token ? { authorization: `Bearer ${token}` } : {},
      );
      body = (await response.json()) as typeof body;
    }
    const refusedBeforeExecution = body.errors?.find(
      (error) =>
        (typeof error.extensions?.reason === 'string' && error.extensions.reason.startsWith('TOKEN_')) ||
        ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST'].includes(String(error.extensions?.code)),
    );
    if (refusedBeforeExecution) {
      throw new Error(`${coordinate}: the probe never ran: ${JSON.stringify(refusedBeforeExecution)}; fix it`);
    }
    probe.after?.(body.data);
    const errors = body.errors ?? [];
    const ancestor = errors.find(
      (error) =>
        isPolicyError(error) &&
        error.path &&
        error.path.length < probe.path.length &&
        samePath(error.path, probe.path.slice(0, error.path.length)),
    );
    if (ancestor) {
      throw new Error(
        `${coordinate}: the probe cannot reach the field (refused at ${ancestor.path?.join('.')}); fix its probe`,
      );
    }
    // Whole-operation authorization refuses before execution: an error with a policy code and no path.
    if (errors.some((error) => isPolicyError(error) && error.path === undefined)) return false;
    if (errors.some((error) => isPolicyError(error) && samePath(error.path, probe.path))) return false;
    // Allowed only if the field was really evaluated: its parent exists in the answer (for a root
    // field: its key, or an error of its own, such as a mutation's refused input).
    const parentPath = probe.path.slice(0, -1);
    const evaluated =
      parentPath.length === 0
        ? (body.data !== null && body.data !== undefined && probe.path[0]! in body.data) ||
          errors.some((error) => samePath(error.path, probe.path))
        : valueAt(body.data, parentPath) !== null && valueAt(body.data, parentPath) !== undefined;
    if (!evaluated) {
      throw new Error(`${coordinate}: the probe found nothing to read (${JSON.stringify(body)}); fix it`);
    }
    return true;
  }

  const coordinates = Object.keys(fieldPolicies) as FieldCoordinate[];

  it('covers every field of schema/schema.graphql', () => {
    const inSchema = Object.values(schema.getTypeMap())
      .filter(
        (type): type is GraphQLObjectType =>
          'getFields' in type && !type.name.startsWith('__') && 'getInterfaces' in type,
      )
      .flatMap((type) => Object.keys(type.getFields()).map((field) => `${type.name}.${field}`))
      .sort();
    expect([...coordinates].sort()).toEqual(inSchema);
  });

  describe.each(coordinates.map((coordinate) => [coordinate]))('%s', (coordinate) => {
    it.each(VIEWERS.map((viewer) => [viewer]))('as %s', async (viewerName) => {
      const caller = callers.get(viewerName)!;
      const viewer = caller.as ? { id: caller.as.id, roles: caller.as.roles } : null;
      const probe = probeFor(coordinate, caller, world);
      const expected = can(viewer, coordinate, { ownerId: caller.targetUserId });
      await expect(serverAllows(coordinate, caller, probe)).resolves.toBe(expected);
    });
  });
});
