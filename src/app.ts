import type { GraphQLSchema } from 'graphql';
import { deriveKey } from './auth/keyed-hash';
import { KeyRing, retiredKeyLifetimeMs } from './auth/keys/key-ring';
import { createPasswordHasher, type PasswordHasher, type PasswordHasherOptions } from './auth/passwords';
import { loadOrCreateRefreshSecret, loadOrCreateSigningSecret } from './auth/signing-secret';
import { createAccessTokens, maxAcceptanceMsFor, type AccessTokens } from './auth/tokens';
import type { Config } from './config';
import { openDatabase, type DatabaseHandle } from './db/connect';
import { migrateToLatest } from './db/migrate';
import { createLocalEventBus, type EventBus } from './events/event-bus';
import { createRedisEventBus } from './events/redis-event-bus';
import { buildAppSchema } from './graphql/schema';
import { Housekeeping } from './housekeeping';
import type { Logger } from './logger';
import { createMailer } from './mail/create-mailer';
import type { Mailer } from './mail/mailer';
import { MODULES, allMigrations, createResolvers } from './modules';
import type { Infrastructure, Services, TollgateModule } from './modules/module';
import { Metrics } from './observability/metrics';
import { createMetricsServer } from './observability/metrics-server';
import { createReadinessCheck } from './observability/readiness';
import { createHttpServer, type HttpServer } from './server';

export interface AppOptions {
  readonly logger: Logger;
  /** Milliseconds since the epoch; tests inject a clock they control. */
  readonly now?: () => number;
  readonly passwords?: PasswordHasherOptions;
  /** A hasher built by the caller (tests that hold a login inside its hash); overrides `passwords`. */
  readonly passwordHasher?: PasswordHasher;
  /** Defaults to the one list in src/modules/index.ts. */
  readonly modules?: readonly TollgateModule[];
}

/** Every module's services plus the shared pieces: what the server, the CLI and tests use. */
export type AppServices = Services & {
  readonly database: DatabaseHandle;
  readonly tokens: AccessTokens;
  /** The signing keys: reloaded every interval once started, and on reload() (SIGHUP). */
  readonly signingKeys: KeyRing;
  readonly housekeeping: Housekeeping;
  readonly passwords: PasswordHasher;
  readonly events: EventBus;
  readonly mailer: Mailer;
  /** Stops the modules' background work and closes the database. */
  close(): Promise<void>;
};

/** Opens and migrates the database and builds every module's services. Shared by the server and the CLI. */
export async function createServices(config: Config, options: AppOptions): Promise<AppServices> {
  const modules = options.modules ?? MODULES;
  const database = openDatabase(config.database, options.logger, config.databaseTimeouts);
  let opened: Infrastructure | undefined;
  try {
    await migrateToLatest(database.db, allMigrations(modules));
    const infrastructure = (opened = await createInfrastructure(config, options, database));
    const services = buildModuleServices(modules, infrastructure);
    const housekeeping = new Housekeeping(
      modules.flatMap((module) => module.housekeeping?.(infrastructure, services) ?? []),
      infrastructure.now,
      options.logger,
    );
    const stopModules = await startModules(modules, services);
    return {
      ...services,
      database,
      tokens: infrastructure.tokens,
      signingKeys: infrastructure.signingKeys,
      housekeeping,
      passwords: infrastructure.passwords,
      events: infrastructure.events,
      mailer: infrastructure.mailer,
      async close() {
        housekeeping.stop();
        await stopModules();
        await closeInfrastructure(infrastructure);
        await database.close();
      },
    };
  } catch (error) {
    // A module that failed to build or start must not leave Redis connections and timers
    // behind: they would keep a CLI (or a test) alive, reconnecting, after the error.
    if (opened) await closeInfrastructure(opened);
    await database.close();
    throw error;
  }
}

/** What createInfrastructure opened besides the database (which its opener closes). */
async function closeInfrastructure(infrastructure: Infrastructure): Promise<void> {
  infrastructure.signingKeys.close();
  await infrastructure.events.close();
  await infrastructure.mailer.close();
}

export interface App {
  readonly services: AppServices;
  readonly http: HttpServer;
  /** This app's metrics registry (served on METRICS_PORT when set). */
  readonly metrics: Metrics;
  /** The metrics listener's base URL once listening; null when METRICS_PORT is not set. */
  readonly metricsUrl: string | null;
  /** Starts listening (the API, and the metrics listener when configured); resolves to the API's base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** The services, the schema built from every module's resolvers, and the HTTP server in front. */
export async function createApp(config: Config, options: AppOptions): Promise<App> {
  const modules = options.modules ?? MODULES;
  const services = await createServices(config, options);
  const metrics = new Metrics();
  metrics.watch({
    hashing: services.passwords.load?.bind(services.passwords),
    revocations: () => services.revocations.stats(),
    database: () => services.database.connectivity(),
  });
  try {
    // The server, not the CLI, keeps the tables tidy.
    services.housekeeping.start();
    services.signingKeys.start();
    const schema = await buildAppSchema(createResolvers(services, modules), {
      events: services.events,
      now: options.now ?? Date.now,
    });
    const http = await createHttpServer(config, {
      schema,
      tokens: services.tokens,
      jwks: services.signingKeys,
      checkRevocation: (viewer, log) => services.revocations.verify(viewer, log),
      logger: options.logger,
      readiness: createReadinessCheck({
        db: services.database.db,
        migrations: Object.keys(allMigrations(modules)),
        revocations: services.revocations,
      }),
      metrics,
      validationRules: modules.flatMap((module) => module.validationRules ?? []),
      onRevocation: (listener) => services.revocations.list.onApplied(listener),
      now: options.now ?? Date.now,
    });
    const metricsServer = config.metrics ? createMetricsServer(config.metrics, metrics, options.logger) : null;
    let metricsUrl: string | null = null;
    return {
      services,
      http,
      metrics,
      get metricsUrl() {
        return metricsUrl;
      },
      async listen() {
        const url = await http.listen();
        if (metricsServer) metricsUrl = await metricsServer.listen();
        return url;
      },
      async close() {
        // Stops accepting, lets requests in flight finish, then closes what they used.
        await http.close();
        await metricsServer?.close();
        await services.close();
      },
    };
  } catch (error) {
    await services.close();
    throw error;
  }
}

/**
 * The schema without any service: its shape does not depend on them, so printing it
 * (`npm run schema`, the staleness test) builds the resolvers over services that throw
 * if a resolver ever reached one.
 */
export function buildSchemaForPrinting(modules: readonly TollgateModule[] = MODULES): Promise<GraphQLSchema> {
  const unavailable = new Proxy(
    {},
    {
      get() {
        throw new Error('Services are not available while printing the schema');
      },
    },
  );
  const services = new Proxy({}, { get: () => unavailable }) as Services;
  return buildAppSchema(createResolvers(services, modules));
}

async function createInfrastructure(
  config: Config,
  options: AppOptions,
  database: DatabaseHandle,
): Promise<Infrastructure> {
  const now = options.now ?? Date.now;
  const { algorithm, source, reloadIntervalSeconds } = config.signingKeys;
  const signingKeys = await KeyRing.load({
    algorithm,
    // Generated only to sign: under ES256/RS256 an HS256 secret only verifies, and only when set.
    secret:
      config.jwt.secret ?? (algorithm === 'HS256' ? loadOrCreateSigningSecret(config.dataDir, options.logger) : null),
    source,
    retiredKeyLifetimeMs: retiredKeyLifetimeMs(
      maxAcceptanceMsFor(config.jwt.accessTokenTtlSeconds),
      reloadIntervalSeconds * 1000,
    ),
    reloadIntervalMs: reloadIntervalSeconds * 1000,
    now,
    logger: options.logger,
  });
  const tokens = createAccessTokens({
    keys: signingKeys,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    ttlSeconds: config.jwt.accessTokenTtlSeconds,
    now,
  });
  // Its own secret, not a signing key's: refresh-token successors, attempt counters and audit
  // pseudonyms must not change when the signing key rotates or the algorithm changes.
  const rootSecret = config.refreshTokenSecret ?? loadOrCreateRefreshSecret(config.dataDir, options.logger);
  const passwords = options.passwordHasher ?? (await createPasswordHasher(options.passwords));
  return {
    config,
    database,
    logger: options.logger,
    now,
    tokens,
    signingKeys,
    passwords,
    deriveKey: (purpose) => deriveKey(rootSecret, purpose),
    // Across the fleet when instances share Redis, as revocations do; on this instance otherwise.
    events: config.redis
      ? createRedisEventBus(config.redis.url, config.redis.keyPrefix, options.logger)
      : createLocalEventBus(),
    mailer: createMailer(config.mail, options.logger),
  };
}

/** Each module in list order, seeing the services of those before it. */
function buildModuleServices(modules: readonly TollgateModule[], infrastructure: Infrastructure): Services {
  const built: Record<string, unknown> = {};
  for (const module of modules) {
    Object.assign(built, module.createServices?.(infrastructure, servicesBuiltBefore(built, module)) ?? {});
  }
  // Complete once the last module has run; each module saw only what came before it.
  return built as unknown as Services;
}

/** The services built so far; asking for one that is not there names the module and the missing service. */
function servicesBuiltBefore(built: Record<string, unknown>, asking: TollgateModule): Services {
  return new Proxy(built, {
    get(target, key) {
      if (typeof key === 'symbol' || key in target) return target[key as string];
      throw new Error(`Module ${asking.name} uses the service "${key}", which no module listed before it provides`);
    },
  }) as unknown as Services;
}

/** Starts the modules in list order; returns what stops the started ones, in reverse. */
async function startModules(modules: readonly TollgateModule[], services: Services): Promise<() => Promise<void>> {
  const started: TollgateModule[] = [];
  const stop = async () => {
    for (const module of started.reverse()) await module.stop?.(services);
  };
  try {
    for (const module of modules) {
      await module.start?.(services);
      started.push(module);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}
