import { sql } from 'kysely';
import { deriveKey } from './auth/keyed-hash';
import { createPasswordHasher, type PasswordHasher, type PasswordHasherOptions } from './auth/passwords';
import { createRefreshTokenCrypto } from './auth/refresh-tokens';
import { createLocalBus, createRedisBus } from './auth/revocation-bus';
import { loadOrCreateSigningSecret } from './auth/signing-secret';
import { createAccessTokens, type AccessTokens } from './auth/tokens';
import type { Config } from './config';
import { openDatabase, type DatabaseHandle } from './db/connect';
import { migrateToLatest } from './db/migrate';
import { buildAppSchema } from './graphql/schema';
import { singleCredentialCheckRule } from './graphql/single-credential-check.rule';
import type { Logger } from './logger';
import { AccountAdminService } from './modules/admin/account-admin.service';
import { AuditLog } from './modules/audit/audit-log';
import { AuditRepository } from './modules/audit/audit.repository';
import { AttemptCounterRepository } from './modules/auth/attempt-counter.repository';
import { AttemptLimiter } from './modules/auth/attempt-limiter';
import { AuthService, CREDENTIAL_MUTATIONS } from './modules/auth/auth.service';
import { Revocations } from './modules/session/revocations';
import { SessionHousekeeping } from './modules/session/session-housekeeping';
import { SessionRepository } from './modules/session/session.repository';
import { SessionService } from './modules/session/session.service';
import { UserRepository } from './modules/user/user.repository';
import { UserService } from './modules/user/user.service';
import { createHttpServer, type HttpServer } from './server';

export interface AppOptions {
  readonly logger: Logger;
  /** Milliseconds since the epoch; tests inject a clock they control. */
  readonly now?: () => number;
  readonly passwords?: PasswordHasherOptions;
  /** A hasher built by the caller (tests that hold a login inside its hash); overrides `passwords`. */
  readonly passwordHasher?: PasswordHasher;
}

export interface Services {
  readonly database: DatabaseHandle;
  readonly tokens: AccessTokens;
  readonly users: UserService;
  readonly auth: AuthService;
  readonly sessions: SessionService;
  readonly accounts: AccountAdminService;
  readonly auditEvents: AuditRepository;
  readonly revocations: Revocations;
  readonly housekeeping: SessionHousekeeping;
  /** Closes the revocation bus and the database. */
  close(): Promise<void>;
}

/** Opens and migrates the database and wires the services. Shared by the server and the CLI. */
export async function createServices(config: Config, options: AppOptions): Promise<Services> {
  const now = options.now ?? Date.now;
  const database = openDatabase(config.database, options.logger);
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
    const passwords = options.passwordHasher ?? (await createPasswordHasher(options.passwords));
    const userRepository = new UserRepository(database.db, database.dialect);
    const sessionRepository = new SessionRepository(database.db, database.dialect);
    const attemptCounters = new AttemptCounterRepository(database.db);
    const auditEvents = new AuditRepository(database.db);
    const audit = new AuditLog(auditEvents, now);
    const bus = config.redis
      ? createRedisBus(config.redis.url, config.redis.keyPrefix, options.logger)
      : createLocalBus();
    const revocations = new Revocations({
      sessions: sessionRepository,
      users: userRepository,
      bus,
      now,
      maxAcceptanceMs: tokens.maxAcceptanceMs,
      logger: options.logger,
    });
    const sessions = new SessionService({
      sessions: sessionRepository,
      users: userRepository,
      tokens,
      refreshTokens: createRefreshTokenCrypto(secret),
      revocations,
      audit,
      now,
      policy: {
        absoluteLifetime: config.sessions.absoluteLifetimeSeconds * 1000,
        idleTimeout: config.sessions.idleTimeoutSeconds * 1000,
        reuseGrace: config.sessions.reuseGraceSeconds * 1000,
      },
    });
    const users = new UserService({ users: userRepository, passwords, now });
    const housekeeping = new SessionHousekeeping(sessionRepository, attemptCounters, now, options.logger);
    await revocations.start();
    return {
      database,
      tokens,
      users,
      sessions,
      auth: new AuthService({
        users,
        sessions,
        audit,
        limiter: new AttemptLimiter(attemptCounters, deriveKey(secret, 'attempt counters'), now),
        throttle: config.throttle,
        auditKey: deriveKey(secret, 'audit email pseudonyms'),
      }),
      accounts: new AccountAdminService({ users: userRepository, sessions, revocations, audit, now }),
      auditEvents,
      revocations,
      housekeeping,
      async close() {
        housekeeping.stop();
        await revocations.close();
        await database.close();
      },
    };
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
    // The server, not the CLI, keeps the tables tidy.
    services.housekeeping.start();
    const schema = await buildAppSchema(services);
    const http = await createHttpServer(config, {
      schema,
      tokens: services.tokens,
      checkRevocation: (viewer) => services.revocations.check(viewer),
      logger: options.logger,
      checkDatabase: async () => {
        await sql`select 1`.execute(services.database.db);
      },
      validationRules: [singleCredentialCheckRule(CREDENTIAL_MUTATIONS)],
    });
    return {
      services,
      http,
      listen: () => http.listen(),
      async close() {
        await http.close();
        await services.close();
      },
    };
  } catch (error) {
    await services.close();
    throw error;
  }
}
