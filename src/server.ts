import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import cors from '@fastify/cors';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { GraphQLSchema, ValidationRule } from 'graphql';
import type { RevocationVerdict } from './auth/revocation/revocation-list';
import type { AccessTokens, Viewer } from './auth/tokens';
import type { Config } from './config';
import { createContext, type Context } from './context';
import { documentLimitsRule, documentParseOptions } from './graphql/document-limits';
import { errorReportingPlugin } from './graphql/error-reporting.plugin';
import { noNulInDocumentRule, noNulInVariablesPlugin } from './graphql/no-nul-characters';
import { ErrorCode, INTERNAL_ERROR_MESSAGE, formatError } from './errors/graphql-errors';
import type { Logger } from './logger';

/** GraphQL documents and variables are small; anything bigger is abuse or a mistake. */
export const BODY_LIMIT_BYTES = 100 * 1024;
export const GRAPHQL_PATH = '/graphql';

export interface ServerDeps {
  readonly schema: GraphQLSchema;
  readonly tokens: AccessTokens;
  /** Instant revocation: ended sessions and stale roles, answered from memory. */
  readonly checkRevocation: (viewer: Viewer) => RevocationVerdict;
  readonly logger: Logger;
  /** Answers the readiness probe; throws when the database is unreachable. */
  readonly checkDatabase: () => Promise<void>;
  /** The app's own validation rules, run after the document limits. */
  readonly validationRules: readonly ValidationRule[];
}

export interface HttpServer {
  readonly fastify: Server;
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
  answerTransportErrorsAsGraphQL(fastify);
  routeGraphQL(fastify, apollo, deps);
  routeHealth(fastify, deps);
  return {
    fastify,
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
    includeStacktraceInErrorResponses: config.nodeEnv === 'development',
    // Strips "Did you mean …?" so a production schema cannot be guessed field by field.
    hideSchemaDetailsFromClientErrors: production,
    formatError,
    // Size and shape bounds, enforced before graphql-js's own (partly quadratic) validation rules walk the document.
    parseOptions: documentParseOptions(),
    validationRules: [documentLimitsRule(), noNulInDocumentRule, ...deps.validationRules],
    // A document past the limits is one error; junk that passes them stops at ten, not graphql-js's 100.
    validationOptions: { maxErrors: 10 },
    logger: deps.logger,
    plugins: [
      fastifyApolloDrainPlugin(fastify),
      ApolloServerPluginCacheControlDisabled(),
      production
        ? ApolloServerPluginLandingPageDisabled()
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: true }),
      noNulInVariablesPlugin(),
      errorReportingPlugin(deps.logger),
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
    const path = request.url.split('?', 1)[0];
    request.log.info(
      { method: request.method, path, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
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

function routeGraphQL(fastify: Server, apollo: ApolloServer<Context>, deps: ServerDeps): void {
  const contextDeps = { tokens: deps.tokens, checkRevocation: deps.checkRevocation };
  fastify.route({
    method: ['GET', 'POST'],
    url: GRAPHQL_PATH,
    handler: fastifyApolloHandler(apollo, {
      context: async (request, reply) => createContext(request, reply, contextDeps),
    }),
  });
}

function routeHealth(fastify: Server, deps: ServerDeps): void {
  fastify.get('/healthz', async (_request, reply) => {
    await deps.checkDatabase();
    return reply.send({ status: 'ok' });
  });
}
