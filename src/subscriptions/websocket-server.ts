import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server as NodeHttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GraphQLSchema, ValidationRule } from 'graphql';
import { handleProtocols } from 'graphql-ws';
import { WebSocket, WebSocketServer } from 'ws';
import type { RevocationEvent } from '../auth/revocation/revocation-list';
import { throttlingAddress } from '../auth/throttling-address';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import { AccessSweep } from './access-sweep';
import { SubscriptionCloseCode, closeCodeLabel } from './close-codes';
import { ConnectionAccess } from './connection-access';
import type { ConnectionAuthDeps } from './connection-auth';
import { ConnectionRegistry } from './connection-registry';
import type { OperationTracker } from './operation-tracker';
import { createProtocolServer, serve } from './protocol-server';
import { Connection } from './subscription-connection';
import { SubscriptionOperations } from './subscription-operations';
import { clientAddress, originAllowed, requestPath } from './upgrade-request';

export interface SubscriptionServerDeps extends ConnectionAuthDeps {
  readonly schema: GraphQLSchema;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The modules' validation rules, as over HTTP. */
  readonly validationRules: readonly ValidationRule[];
  /** Calls the listener with every revocation this instance learns (RevocationList.onApplied); returns what stops it. */
  readonly onRevocation: (listener: (event: RevocationEvent) => void) => () => void;
  /** Milliseconds since the epoch: the clock tokens are verified with. */
  readonly now: () => number;
}

export interface SubscriptionServer {
  /** Open connections on this instance. */
  readonly openConnections: number;
  /** Subscriptions of those connections, being set up or running (what WS_MAX_SUBSCRIPTIONS_PER_CONNECTION counts). */
  readonly trackedOperations: number;
  /** Closes, now, every connection whose token is no longer accepted (the timer does it within a second). */
  closeExpired(): number;
  /** Refuses new sockets and closes the open ones with 1001, those that do not answer after a grace. */
  close(): Promise<void>;
}

/** How long close() waits for clients to answer its close frame before cutting their sockets. */
const CLOSE_GRACE_MS = 1000;
const USER_AGENT_LENGTH = 256;

/**
 * GraphQL subscriptions over WebSocket (the graphql-transport-ws protocol, as spoken by
 * graphql-ws, Apollo Client and urql) on the HTTP server's own port and `path`. Upgrades of
 * any other path, from a foreign Origin, or while shutting down are refused before the
 * handshake; everything else is decided per connection (see README, "Subscriptions").
 */
export function attachSubscriptionServer(
  httpServer: NodeHttpServer,
  path: string,
  config: Config,
  deps: SubscriptionServerDeps,
): SubscriptionServer {
  const limits = config.subscriptions;
  const registry = new ConnectionRegistry({
    maxConnectionsPerUser: limits.maxConnectionsPerUser,
    maxConnectionsPerIp: limits.maxConnectionsPerIp,
    now: deps.now,
  });
  const stopHearingRevocations = deps.onRevocation((event) => registry.revoked(event));
  // The revocations the list hears close sockets at once (above); these find the rest: the
  // HTTP check again before each delivery, and every second for every session, so a socket
  // never outlives its session while the list is in doubt.
  const access = new ConnectionAccess(deps.checkRevocation, deps.now);
  const sweep = new AccessSweep(() => registry.sessions(), access, deps.logger);
  sweep.start();
  const operations = new SubscriptionOperations(deps.schema, deps.validationRules, config.nodeEnv === 'production');
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes, handleProtocols });
  const protocol = createProtocolServer(registry, operations, limits, deps, access);
  const trackers = new Set<OperationTracker>();
  let closing: Promise<void> | null = null;

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (requestPath(request) !== path) return refuseUpgrade(socket, 404, 'Not Found');
    if (closing) return refuseUpgrade(socket, 503, 'Service Unavailable');
    if (!originAllowed(request, config.corsOrigins)) return refuseUpgrade(socket, 403, 'Forbidden');
    wss.handleUpgrade(request, socket, head, (ws) => {
      const ip = clientAddress(request, config.trustProxyHops);
      const client = { ip, userAgent: request.headers['user-agent']?.slice(0, USER_AGENT_LENGTH) ?? null };
      const connection = new Connection(
        ws,
        throttlingAddress(ip),
        client,
        deps.logger.child({ connectionId: randomUUID() }),
      );
      deps.metrics.websocketConnections.inc();
      ws.once('close', (code: number) => {
        registry.release(connection);
        deps.metrics.websocketConnections.dec();
        deps.metrics.websocketCloses.inc({ code: closeCodeLabel(code) });
      });
      if (!registry.admit(connection)) {
        connection.close(SubscriptionCloseCode.TOO_MANY_CONNECTIONS, 'TOO_MANY_CONNECTIONS');
        return;
      }
      const tracker = serve(connection, protocol);
      trackers.add(tracker);
      ws.once('close', () => trackers.delete(tracker));
    });
  };
  httpServer.on('upgrade', onUpgrade);

  return {
    get openConnections() {
      return registry.size;
    },
    get trackedOperations() {
      let tracked = 0;
      for (const tracker of trackers) tracked += tracker.size;
      return tracked;
    },
    closeExpired: () => registry.closeExpired(),
    close() {
      closing ??= (async () => {
        stopHearingRevocations();
        sweep.stop();
        registry.stop();
        for (const ws of wss.clients) ws.close(SubscriptionCloseCode.GOING_AWAY, 'SHUTTING_DOWN');
        await allClosed(wss, CLOSE_GRACE_MS);
        await new Promise<void>((resolve) => wss.close(() => resolve()));
      })();
      return closing;
    },
  };
}

/** An HTTP answer instead of the handshake; nothing of the request is echoed. */
function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.on('error', () => undefined);
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

async function allClosed(wss: WebSocketServer, graceMs: number): Promise<void> {
  const open = [...wss.clients];
  if (open.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
  const everyClose = Promise.all(
    open.map((ws) => (ws.readyState === WebSocket.CLOSED ? null : new Promise((resolve) => ws.once('close', resolve)))),
  );
  await Promise.race([everyClose, graceOver]);
  clearTimeout(timer);
  for (const ws of open) if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
}
