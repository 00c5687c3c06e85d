import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type GraphQLFormattedError } from 'graphql';
import pino from 'pino';
import { createApp, type App } from '../../src/app';
import { Role } from '../../src/auth/roles';
import { loadConfig, type Config } from '../../src/config';
import type { UserRecord } from '../../src/modules/user/user.model';
import { TestClock } from './clock';
import { createTestDatabase, type TestDialect } from './databases';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
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
  countUsers(): Promise<number>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  readonly env?: Record<string, string>;
}

/** The real app on an ephemeral port, over a fresh database, with a clock the test controls. */
export async function startTestServer(dialect: TestDialect, options: TestServerOptions = {}): Promise<TestServer> {
  const database = await createTestDatabase(dialect);
  const clock = new TestClock(Date.now());
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: database.dataDir,
    DATABASE_URL: database.url,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  let app: App;
  try {
    app = await createApp(config, { logger: pino({ level: 'silent' }), now: clock.now });
  } catch (error) {
    await database.dispose();
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

  return {
    url,
    app,
    config,
    clock,
    async execute(document, variables, requestOptions = {}) {
      const headers: Record<string, string> = { ...requestOptions.headers };
      if (requestOptions.token !== undefined) headers.authorization = `Bearer ${requestOptions.token}`;
      if (requestOptions.authorization !== undefined) headers.authorization = requestOptions.authorization;
      const response = await post({ query: print(document), variables: variables ?? {} }, headers);
      const body = (await response.json()) as { data?: never; errors?: GraphQLFormattedError[] };
      return { status: response.status, headers: response.headers, data: body.data, errors: body.errors };
    },
    post,
    createUser: (email, roles = [Role.USER]) =>
      app.services.users.register({ email, password: TEST_PASSWORD, displayName: email.split('@')[0]! }, roles),
    async countUsers() {
      const row = await app.services.database.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async close() {
      await app.close();
      await database.dispose();
    },
  };
}
