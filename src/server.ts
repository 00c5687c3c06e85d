import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import cors from '@fastify/cors';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { GraphQLSchema, ValidationRule } from 'graphql';
import { matchesIfNoneMatch, type JwksDocument } from './auth/keys/jwks';
import type { RevocationEvent, RevocationVerdict } from './auth/revocation/revocation-list';
import type { AccessTokens, Viewer } from './auth/tokens';
import type { Config } from './config';
import { createContext, type Context, type ContextDeps } from './context';
import { documentLimitsRule, documentParseOptions } from './graphql/document-limits';
import { errorReportingPlugin } from './graphql/error-reporting.plugin';
import { queryCostRule } from './graphql/query-cost';
import { tooManyRequestsPlugin } from './graphql/too-many-requests.plugin';
import { knownOperationTypesRule, noNulInDocumentRule, variablesPlugin } from './graphql/input-values';
import { metricsPlugin } from './graphql/metrics.plugin';
import { operationAuthorizationPlugin } from './graphql/operation-authorization.plugin';
import { serviceUnavailablePlugin } from './graphql/service-unavailable.plugin';
import type { Metrics } from './observability/metrics';
import type { ReadinessReport } from './observability/readiness';
import { ErrorCode, INTERNAL_ERROR_MESSAGE, formatError } from './errors/graphql-errors';
import { refuseUnacceptableAccept, type AcceptableAnswerOptions } from './http/acceptable-answer';
import { applyGraphQLResponseStatus } from './http/graphql-response-status';
import { sandboxLandingPage } from './http/sandbox-landing-page';
import type { Logger } from './logger';
import { attachSubscriptionServer, type SubscriptionServer } from './subscriptions/websocket-server';

/** GraphQL documents and variables are small; anything bigger is abuse or a mistake. */
export const BODY_LIMIT_BYTES = 100 * 1024;
export const GRAPHQL_PATH = '/graphql';
export const JWKS_PATH = '/.well-known/jwks.json';

export interface ServerDeps {
  readonly schema: GraphQLSchema;
  readonly tokens: AccessTokens;
  /** The public keys that verify now (none under HS256), for other services. */
  readonly jwks: { jwks(): JwksDocument };
  /**
   * Instant revocation: ended sessions and stale roles, answered from memory, or from the
   * database (a promise) while the list is in doubt.
   */
  readonly checkRevocation: (viewer: Viewer, log: Logger) => RevocationVerdict | Promise<RevocationVerdict>;
  readonly logger: Logger;
  /** Answers `/readyz`: the database, migrations, Redis and the revocation list. */
  readonly readiness: () => Promise<ReadinessReport>;
  /** This app's metrics (its own registry), recorded here and served on METRICS_PORT. */
  readonly metrics: Metrics;
  /** The app's own validation rules, run after the document limits. */
  readonly validationRules: readonly ValidationRule[];
  /** Every revocation this instance learns, so open subscriptions end with their access; returns what stops it. */
  readonly onRevocation: (listener: (event: RevocationEvent) => void) => () => void;
  /** Milliseconds since the epoch: the clock tokens are verified with (when an open subscription's token expires). */
  readonly now: () => number;
}

export interface HttpServer {
  readonly fastify: Server;
  /** GraphQL subscriptions over WebSocket, on the same port and path (src/subscriptions/). */
  readonly subscriptions: SubscriptionServer;
  listen(): Promise<string>;
  close(): Promise<void>;
}

type Server = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;

/** Fastify in front of Apollo, with our limits (never startStandaloneServer's 50 MB and `*` CORS). */
export async function createHttpServer(config: Config, deps: ServerDeps): Promise<HttpServer> {
  const fastify = createFastify(config, deps.logger);
  await allowConfiguredOrigins(fastify, config);
  const apollo = await startApollo(fastify, config, deps);
  addResponseHeaders(fastify);
  logOneLinePerRequest(fastify);
  countRequests(fastify, deps.metrics);
  releaseKeptAliveConnectionsOnClose(fastify);
  answerTransportErrorsAsGraphQL(fastify);
  routeGraphQL(fastify, apollo, deps, { landingPage: config.nodeEnv !== 'production' });
  routeProbes(fastify, deps);
  routeJwks(fastify, config, deps);
  const subscriptions = attachSubscriptionServer(fastify.server, GRAPHQL_PATH, config, {
    ...deps,
    onAuthentication: (outcome, reason) => deps.metrics.authentications.inc({ outcome, reason: reason ?? 'none' }),
  });
  // Before the listener closes: upgraded sockets are not the HTTP server's to wait for.
  fastify.addHook('preClose', () => subscriptions.close());
  return {
    fastify,
    subscriptions,
    listen: () => fastify.listen({ host: config.host, port: config.port }),
    close: () => fastify.close(),
  };
}

function createFastify(config: Config, logger: Logger): Server {
  return Fastify({
    loggerInstance: logger,
    // One line per request from our onResponse hook instead of Fastify's two (and without the query string).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    // Our own ids: a client-chosen x-request-id could forge or collide with log lines.
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    requestTimeout: 30_000,
    // Behind N proxies, the client is the Nth address from the right of X-Forwarded-For.
    trustProxy: config.trustProxyHops > 0 ? (_address: string, hop: number) => hop < config.trustProxyHops : false,
  });
}

async function allowConfiguredOrigins(fastify: Server, config: Config): Promise<void> {
  await fastify.register(cors, {
    origin: config.corsOrigins.length > 0 ? [...config.corsOrigins] : false,
    credentials: true,
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type', 'apollo-require-preflight', 'x-apollo-operation-name'],
    maxAge: 600,
  });
}

async function startApollo(fastify: Server, config: Config, deps: ServerDeps): Promise<ApolloServer<Context>> {
  const production = config.nodeEnv === 'production';
  const apollo = new ApolloServer<Context>({
    schema: deps.schema,
    nodeEnv: config.nodeEnv,
    introspection: !production,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // No automatic persisted queries: nothing of ours sends them, and their errors carry no code.
    persistedQueries: false,
    includeStacktraceInErrorResponses: config.nodeEnv === 'development',
    // Strips "Did you mean …?" so a production schema cannot be guessed field by field.
    hideSchemaDetailsFromClientErrors: production,
    formatError,
    // Size and shape bounds, enforced before graphql-js's own (partly quadratic) validation rules walk the document.
    parseOptions: documentParseOptions(),
    validationRules: [
      documentLimitsRule(),
      queryCostRule(),
      noNulInDocumentRule,
      knownOperationTypesRule,
      ...deps.validationRules,
    ],
    // A document past the limits is one error; junk that passes them stops at ten, not graphql-js's 100.
    validationOptions: { maxErrors: 10 },
    logger: deps.logger,
    // Apollo would stop itself on SIGTERM and then re-raise the signal, killing the process
    // before in-flight requests finish; src/index.ts owns the shutdown.
    stopOnTerminationSignals: false,
    plugins: [
      fastifyApolloDrainPlugin(fastify),
      ApolloServerPluginCacheControlDisabled(),
      production ? ApolloServerPluginLandingPageDisabled() : sandboxLandingPage(),
      variablesPlugin(),
      operationAuthorizationPlugin({ defaultMode: config.authorizationMode, now: deps.now }),
      errorReportingPlugin(deps.logger),
      tooManyRequestsPlugin(),
      serviceUnavailablePlugin(),
      metricsPlugin(deps.metrics),
    ],
  });
  await apollo.start();
  return apollo;
}

function addResponseHeaders(fastify: Server): void {
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    // Answers depend on who asks and may carry tokens: no shared or browser cache may keep them.
    if (request.url.startsWith(GRAPHQL_PATH)) reply.header('cache-control', 'no-store');
  });
}

function logOneLinePerRequest(fastify: Server): void {
  fastify.addHook('onResponse', async (request, reply) => {
    // The path only: a query string can carry GraphQL variables.
    const path = request.url.split('?', 1)[0]!;
    // Probes come every few seconds from every load balancer: at info they would drown the log.
    const level = PROBE_PATHS.has(path) ? 'debug' : 'info';
    request.log[level](
      { method: request.method, path, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });
}

/**
 * close() stops the listener, closes idle connections and waits for the others; a client
 * whose request finishes during the drain would keep its connection alive and hold close()
 * until the keep-alive timeout. Once closing, every answer says `Connection: close`.
 */
function releaseKeptAliveConnectionsOnClose(fastify: Server): void {
  let closing = false;
  fastify.addHook('preClose', async () => {
    closing = true;
  });
  fastify.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
}

const COUNTED_METHODS = new Set(['GET', 'POST', 'HEAD', 'OPTIONS']);

/** Every answer by route (declared routes only; anything else is "unmatched"), method and status. */
function countRequests(fastify: Server, metrics: Metrics): void {
  fastify.addHook('onResponse', async (request, reply) => {
    metrics.httpRequests.inc({
      route: request.routeOptions.url ?? 'unmatched',
      method: COUNTED_METHODS.has(request.method) ? request.method : 'other',
      status: String(reply.statusCode),
    });
  });
}

/** Transport errors (oversized or malformed bodies) answer in GraphQL's error shape. */
function answerTransportErrorsAsGraphQL(fastify: Server): void {
  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'unexpected error outside GraphQL');
    const message = status >= 500 ? INTERNAL_ERROR_MESSAGE : error.message;
    const code = status >= 500 ? ErrorCode.INTERNAL_SERVER_ERROR : ErrorCode.BAD_REQUEST;
    return reply.status(status).send({ errors: [{ message, extensions: { code, requestId: request.id } }] });
  });
}

function routeGraphQL(
  fastify: Server,
  apollo: ApolloServer<Context>,
  deps: ServerDeps,
  accept: AcceptableAnswerOptions,
): void {
  const contextDeps: ContextDeps = {
    tokens: deps.tokens,
    checkRevocation: deps.checkRevocation,
    onAuthentication: (outcome, reason) => deps.metrics.authentications.inc({ outcome, reason: reason ?? 'none' }),
  };
  fastify.route({
    method: ['GET', 'POST'],
    url: GRAPHQL_PATH,
    // GET serves queries (and the Sandbox page); Apollo answers a mutation over GET with 405 and
    // `Allow: POST`, and a GET without a preflight-forcing header with its CSRF refusal.
    // GraphQL over HTTP: 406 before anything runs, and the spec's status codes for
    // `application/graphql-response+json` (src/http/).
    onRequest: refuseUnacceptableAccept(accept),
    onSend: applyGraphQLResponseStatus,
    handler: fastifyApolloHandler(apollo, {
      context: async (request, reply) => createContext(request, reply, contextDeps),
    }),
  });
}

export const HEALTH_PATH = '/healthz';
export const READINESS_PATH = '/readyz';
const PROBE_PATHS = new Set([HEALTH_PATH, READINESS_PATH]);

/**
 * Liveness: the process answers (no I/O, so a slow database never gets it restarted).
 * Readiness: it can serve correctly now; 503 takes it out of a load balancer's rotation.
 * Both unauthenticated, never cached, and saying nothing about hosts, versions or errors.
 */
function routeProbes(fastify: Server, deps: ServerDeps): void {
  fastify.get(HEALTH_PATH, async (_request, reply) => {
    return reply.header('cache-control', 'no-store').send({ status: 'ok' });
  });
  fastify.get(READINESS_PATH, async (_request, reply) => {
    const { ready, checks } = await deps.readiness();
    return reply
      .code(ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: ready ? 'ready' : 'not ready', checks });
  });
}

/** RFC 7517 key set for services that verify our tokens; public keys only, cacheable, revalidated by ETag. */
function routeJwks(fastify: Server, config: Config, deps: ServerDeps): void {
  const cacheControl = `public, max-age=${config.signingKeys.jwksMaxAgeSeconds}`;
  fastify.get(JWKS_PATH, async (request, reply) => {
    const { body, etag } = deps.jwks.jwks();
    reply.header('cache-control', cacheControl).header('etag', etag);
    if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(body);
  });
}
