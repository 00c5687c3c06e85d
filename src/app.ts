import { sql } from 'kysely';
import { createPasswordHasher, type PasswordHasherOptions } from './auth/passwords';
import { loadOrCreateSigningSecret } from './auth/signing-secret';
import { createAccessTokens, type AccessTokens } from './auth/tokens';
import type { Config } from './config';
import { openDatabase, type DatabaseHandle } from './db/connect';
import { migrateToLatest } from './db/migrate';
import { buildAppSchema } from './graphql/schema';
import type { Logger } from './logger';
import { AuthService } from './modules/auth/auth.service';
import { UserRepository } from './modules/user/user.repository';
import { UserService } from './modules/user/user.service';
import { createHttpServer, type HttpServer } from './server';

export interface AppOptions {
  readonly logger: Logger;
  /** Milliseconds since the epoch; tests inject a clock they control. */
  readonly now?: () => number;
  readonly passwords?: PasswordHasherOptions;
}

export interface Services {
  readonly database: DatabaseHandle;
  readonly tokens: AccessTokens;
  readonly users: UserService;
  readonly auth: AuthService;
}

/** Opens and migrates the database and wires the services. Shared by the server and the CLI. */
export async function createServices(config: Config, options: AppOptions): Promise<Services> {
  const now = options.now ?? Date.now;
  const database = openDatabase(config.database);
  try {
    await migrateToLatest(database.db);
    const secret = config.jwt.secret ?? loadOrCreateSigningSecret(config.dataDir, options.logger);
    const tokens = createAccessTokens({
      secret,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      ttlSeconds: config.jwt.accessTokenTtlSeconds,
      now,
    });
    const passwords = await createPasswordHasher(options.passwords);
    const users = new UserService({ users: new UserRepository(database.db), passwords, now });
    return { database, tokens, users, auth: new AuthService(users, tokens) };
  } catch (error) {
    await database.close();
    throw error;
  }
}

export interface App {
  readonly services: Services;
  readonly http: HttpServer;
  /** Starts listening; resolves to the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export async function createApp(config: Config, options: AppOptions): Promise<App> {
  const services = await createServices(config, options);
  try {
    const schema = await buildAppSchema(services);
    const http = await createHttpServer(config, {
      schema,
      tokens: services.tokens,
      logger: options.logger,
      checkDatabase: async () => {
        await sql`select 1`.execute(services.database.db);
      },
    });
    return {
      services,
      http,
      listen: () => http.listen(),
      async close() {
        await http.close();
        await services.database.close();
      },
    };
  } catch (error) {
    await services.database.close();
    throw error;
  }
}
