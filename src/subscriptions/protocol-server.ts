import { GraphQLError, type ExecutionArgs, type GraphQLFormattedError } from 'graphql';
import {
  MessageType,
  makeServer,
  stringifyMessage,
  type Context as ProtocolContext,
  type ExecutionResult,
  type SubscribePayload,
} from 'graphql-ws';
import { WebSocket } from 'ws';
import type { Config } from '../config';
import type { Context } from '../context';
import { ErrorCode, formatError, isExpectedError } from '../errors/graphql-errors';
import type { Logger } from '../logger';
import { SubscriptionCloseCode } from './close-codes';
import {
  ConnectionRefused,
  confirmNotRevoked,
  verifyConnectionToken,
  type ConnectionAuthDeps,
} from './connection-auth';
import { closeIfAccessEnded, type AccessEnded, type ConnectionAccess } from './connection-access';
import type { ConnectionRegistry } from './connection-registry';
import { deliverWhileAllowed } from './delivery-gate';
import { keepAlive } from './keep-alive';
import { OperationTracker } from './operation-tracker';
import { echoedPingPayload, sendUnlessBehind } from './outbound';
import type { Connection } from './subscription-connection';
import type { SubscriptionOperations } from './subscription-operations';

type Extra = {
  readonly connection: Connection;
  readonly contexts: Map<string, Context>;
  /** Every operation of the connection, whatever graphql-ws remembers of it (operation-tracker.ts). */
  readonly tracker: OperationTracker;
};
type ConnectionParams = Record<string, unknown>;

export type ProtocolServer = ReturnType<typeof createProtocolServer>;

/**
 * The graphql-transport-ws protocol (graphql-ws's makeServer) with our hooks: `connection_init`
 * authenticates and counts the connection, `subscribe` runs the HTTP rules and the
 * per-connection limit, the viewer's access is checked again when a subscription starts and
 * before each result is sent (connection-access.ts), and every error leaves in its public shape.
 */
export function createProtocolServer(
  registry: ConnectionRegistry,
  operations: SubscriptionOperations,
  limits: Config['subscriptions'],
  deps: ConnectionAuthDeps,
  access: ConnectionAccess,
) {
  const format = (ctx: ProtocolContext<ConnectionParams, Extra>, id: string, error: GraphQLError) =>
    formatForClient(error, ctx.extra.contexts.get(id) ?? null, ctx.extra.connection.log);
  return makeServer<ConnectionParams, Extra>({
    connectionInitWaitTimeout: limits.connectionInitTimeoutMs,
    async onConnect(ctx) {
      const { connection } = ctx.extra;
      try {
        const viewer = verifyConnectionToken(ctx.connectionParams, deps);
        if (viewer) {
          if (!registry.authenticate(connection, viewer)) {
            connection.close(SubscriptionCloseCode.TOO_MANY_CONNECTIONS, 'TOO_MANY_CONNECTIONS');
            return false;
          }
          await confirmNotRevoked(viewer, deps, connection.log);
        }
      } catch (error) {
        if (error instanceof ConnectionRefused) {
          connection.close(error.code, error.reason);
          return false;
        }
        connection.log.error({ err: error }, 'unexpected error while authenticating a WebSocket connection');
        connection.close(SubscriptionCloseCode.INTERNAL_ERROR, 'INTERNAL_ERROR');
        return false;
      }
      // Closed meanwhile (revoked while its check ran, or the client left): nothing to acknowledge.
      return connection.socket.readyState === WebSocket.OPEN;
    },
    async onSubscribe(ctx, id, payload) {
      const { tracker, connection } = ctx.extra;
      // Tracked before any wait, so that subscriptions sent together are all seen and counted.
      if (!tracker.begin(id, payload)) {
        connection.close(SubscriptionCloseCode.DUPLICATE_OPERATION_ID, 'DUPLICATE_OPERATION_ID');
        return [duplicateOperationId()];
      }
      const refused = await prepareTracked(ctx, id, payload);
      if (Array.isArray(refused)) tracker.end(id, payload);
      return refused;
    },
    onOperation(ctx, id, payload, _args, result) {
      if (!isAsyncIterable(result)) return undefined;
      const { connection, tracker } = ctx.extra;
      const results = deliverWhileAllowed(
        result[Symbol.asyncIterator](),
        async () => (await closeIfAccessEnded(connection, access)) === null,
      );
      // Completed by the client or its socket closed while it was being set up: it never runs.
      if (!(id in ctx.subscriptions) || !tracker.attach(id, payload, results)) {
        tracker.end(id, payload);
        void results.return?.();
      }
      return results;
    },
    onNext(ctx, id, _payload, _args, result) {
      if (!result.errors) return undefined;
      return { ...result, errors: result.errors.map((error) => format(ctx, id, error)) };
    },
    onError(ctx, id, _payload, errors) {
      return errors.map((error) => format(ctx, id, error));
    },
    onComplete(ctx, id, payload) {
      ctx.extra.tracker.end(id, payload);
      ctx.extra.contexts.delete(id);
    },
  });

  /** What graphql-js executes for a tracked `subscribe`, or why it is refused (then untracked by the caller). */
  async function prepareTracked(
    ctx: ProtocolContext<ConnectionParams, Extra>,
    id: string,
    payload: SubscribePayload,
  ): Promise<ExecutionArgs | readonly GraphQLError[]> {
    // Counted by us: graphql-ws forgets an id on `complete` even while its setup still runs.
    if (ctx.extra.tracker.live((tracked) => tracked in ctx.subscriptions) > limits.maxSubscriptionsPerConnection) {
      return [tooManySubscriptions(limits.maxSubscriptionsPerConnection)];
    }
    // Checked at connection_init, but ended since perhaps without anyone saying so (the
    // revocation list in doubt): as an HTTP request would be, now.
    const ended = await closeIfAccessEnded(ctx.extra.connection, access);
    if (ended) return [accessEndedError(ended)];
    const context = ctx.extra.connection.contextFor();
    const prepared = operations.prepare(payload, context);
    if (!Array.isArray(prepared)) ctx.extra.contexts.set(id, context);
    return prepared;
  }
}

/**
 * Hands a socket to the protocol server, with a keep-alive, a bound on what may wait for its
 * reader, and errors that go to our log, never to the client. Returns its operations.
 */
export function serve(connection: Connection, protocol: ProtocolServer): OperationTracker {
  const { socket } = connection;
  // ws closes the socket itself on a protocol error (1002) or an oversized message (1009).
  socket.on('error', (error) => connection.log.debug({ err: error }, 'WebSocket error'));
  const stopKeepAlive = keepAlive(socket);
  const send = (data: string) => sendUnlessBehind(connection, data);
  const tracker = new OperationTracker();
  const closed = protocol.opened(
    {
      protocol: socket.protocol,
      send,
      close: (code, reason) => connection.close(code ?? 1000, reason ?? ''),
      // Instead of graphql-ws's own answer, which echoes any payload: a big one is not.
      onPing: (payload) => {
        const echoed = echoedPingPayload(payload);
        return send(
          stringifyMessage(echoed ? { type: MessageType.Pong, payload: echoed } : { type: MessageType.Pong }),
        );
      },
      onMessage: (handle) =>
        socket.on('message', (data, isBinary) => {
          // The protocol is text: a binary frame is answered as an unreadable message (4400).
          handle(isBinary ? '' : String(data)).catch((error: unknown) => {
            connection.log.error({ err: error }, 'unexpected error while handling a WebSocket message');
            connection.close(SubscriptionCloseCode.INTERNAL_ERROR, 'INTERNAL_ERROR');
          });
        }),
    },
    { connection, contexts: new Map(), tracker },
  );
  socket.once('close', (code: number, reason: Buffer) => {
    stopKeepAlive();
    Promise.all([tracker.close(), closed(code, reason.toString())]).catch((error: unknown) =>
      connection.log.error({ err: error }, 'unexpected error while closing a WebSocket connection'),
    );
  });
  return tracker;
}

/** The public shape of an error, as over HTTP: unexpected ones logged in full and masked, with the request id. */
function formatForClient(error: GraphQLError, context: Context | null, log: Logger): GraphQLFormattedError {
  const formatted = formatError(error.toJSON(), error);
  if (isExpectedError(error)) return formatted;
  (context?.log ?? log).error(
    { err: error.originalError ?? error, path: error.path },
    'unexpected error in a subscription',
  );
  return context ? { ...formatted, extensions: { ...formatted.extensions, requestId: context.requestId } } : formatted;
}

/** graphql-ws answers a refused subscription with errors; these are never sent, the socket is already closing. */
function accessEndedError(ended: AccessEnded): GraphQLError {
  const code =
    ended.code === SubscriptionCloseCode.TRY_AGAIN_LATER ? ErrorCode.SERVICE_UNAVAILABLE : ErrorCode.UNAUTHENTICATED;
  return new GraphQLError('This connection is closing: its access ended.', {
    extensions: { code, reason: ended.reason },
  });
}

/** Never sent: the socket is closing with 4409. */
function duplicateOperationId(): GraphQLError {
  return new GraphQLError('An operation with this id is already running on this connection.', {
    extensions: { code: ErrorCode.BAD_USER_INPUT },
  });
}

function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function tooManySubscriptions(max: number): GraphQLError {
  return new GraphQLError(
    `At most ${max} subscriptions may run at once on one connection (maxSubscriptionsPerConnection); complete one first.`,
    { extensions: { code: ErrorCode.TOO_MANY_REQUESTS, limit: 'maxSubscriptionsPerConnection', max } },
  );
}
