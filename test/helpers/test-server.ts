import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type GraphQLFormattedError } from 'graphql';
import pino, { type Logger } from 'pino';
import { createApp, type App } from '../../src/app';
import type { PasswordHasher } from '../../src/auth/passwords';
import type { TollgateModule } from '../../src/modules/module';
import { Role } from '../../src/auth/roles';
import { loadConfig, type Config } from '../../src/config';
import type { UserRecord } from '../../src/modules/user/user.model';
import { TestClock } from './clock';
import { LoginDocument } from '../generated/graphql';
import { createTestDatabase, type TestDatabase, type TestDialect } from './databases';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
export const TEST_REFRESH_TOKEN_SECRET = 'test-refresh-token-secret-long-enough-0123456789';
export const TEST_PASSWORD = 'correct horse battery staple';

export interface GraphQLResponse<TData> {
  readonly status: number;
  readonly headers: Headers;
  readonly data?: TData | null;
  readonly errors?: readonly GraphQLFormattedError[];
}

export interface RequestOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Sent as the raw Authorization header, for malformed ones. */
  readonly authorization?: string;
  readonly headers?: Record<string, string>;
}

export interface TestServer {
  readonly url: string;
  readonly app: App;
  readonly config: Config;
  readonly clock: TestClock;
  execute<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables?: TVariables,
    options?: RequestOptions,
  ): Promise<GraphQLResponse<TData>>;
  /** A raw POST to /graphql, for bodies no typed client would send. */
  post(body: string | object, headers?: Record<string, string>): Promise<Response>;
  /** Creates a user directly through the service (no HTTP), e.g. an ADMIN. */
  createUser(email: string, roles?: readonly Role[]): Promise<UserRecord>;
  /** Creates a user and logs them in over HTTP. */
  signIn(email: string, roles?: readonly Role[]): Promise<SignedIn>;
  countUsers(): Promise<number>;
  countRows(table: Table): Promise<number>;
  close(): Promise<void>;
}

type Table = 'users' | 'sessions' | 'refresh_tokens' | 'audit_events' | 'attempt_counters';

export interface TestServerOptions {
  readonly env?: Record<string, string>;
  /** Silent by default; see helpers/capturing-logger.ts to read what the app logs. */
  readonly logger?: Logger;
  /** A hasher the test controls (see helpers/held-hasher.ts). */
  readonly passwordHasher?: PasswordHasher;
  /** Another module list (a module of the test's own added to the app's). */
  readonly modules?: readonly TollgateModule[];
  /** Reuse a database (another instance of the same deployment) instead of creating one. */
  readonly database?: TestDatabase;
  readonly clock?: TestClock;
}

export interface SignedIn {
  readonly id: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

/** The real app on an ephemeral port, over a fresh database, with a clock the test controls. */
export async function startTestServer(dialect: TestDialect, options: TestServerOptions = {}): Promise<TestServer> {
  const ownsDatabase = !options.database;
  const database = options.database ?? (await createTestDatabase(dialect));
  const clock = options.clock ?? new TestClock(Date.now());
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: database.dataDir,
    DATABASE_URL: database.url,
    JWT_SECRET: TEST_JWT_SECRET,
    REFRESH_TOKEN_SECRET: TEST_REFRESH_TOKEN_SECRET,
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  let app: App;
  try {
    app = await createApp(config, {
      logger: options.logger ?? pino({ level: 'silent' }),
      now: clock.now,
      ...(options.passwordHasher ? { passwordHasher: options.passwordHasher } : {}),
      ...(options.modules ? { modules: options.modules } : {}),
    });
  } catch (error) {
    if (ownsDatabase) await database.dispose();
    throw error;
  }
  const base = await app.listen();
  const url = `${base}/graphql`;

  const post = (body: string | object, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  const countRows = async (table: Table) => {
    const row = await app.services.database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  const execute: TestServer['execute'] = async (document, variables, requestOptions = {}) => {
    const headers: Record<string, string> = { ...requestOptions.headers };
    if (requestOptions.token !== undefined) headers.authorization = `Bearer ${requestOptions.token}`;
    if (requestOptions.authorization !== undefined) headers.authorization = requestOptions.authorization;
    const response = await post({ query: print(document), variables: variables ?? {} }, headers);
    const body = (await response.json()) as { data?: never; errors?: GraphQLFormattedError[] };
    return { status: response.status, headers: response.headers, data: body.data, errors: body.errors };
  };
  const createUser = (email: string, roles: readonly Role[] = [Role.USER]) =>
    app.services.users.register({ email, password: TEST_PASSWORD, displayName: email.split('@')[0]! }, roles);

  return {
    url,
    app,
    config,
    clock,
    execute,
    post,
    createUser,
    async signIn(email, roles) {
      const user = await createUser(email, roles);
      const res = await execute(LoginDocument, { email, password: TEST_PASSWORD });
      if (!res.data) throw new Error(`login failed: ${JSON.stringify(res.errors)}`);
      return { id: user.id, accessToken: res.data.login.accessToken, refreshToken: res.data.login.refreshToken! };
    },
    countUsers: () => countRows('users'),
    countRows,
    async close() {
      await app.close();
      if (ownsDatabase) await database.dispose();
    },
  };
}
