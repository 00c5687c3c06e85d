import { CloseCode as ProtocolCloseCode } from 'graphql-ws';
import type { TokenFailureReason } from '../errors/domain-errors';

/**
 * Why the server closes a GraphQL-over-WebSocket connection. The reason text sent with a
 * close is one word from a closed list (TOKEN_EXPIRED, TOO_MANY_CONNECTIONS, …), never a
 * token, an address or an internal message.
 */
export const SubscriptionCloseCode = {
  /** Shutting down (graceful): reconnect, to another instance. */
  GOING_AWAY: 1001,
  /** A message larger than WS_MAX_MESSAGE_BYTES (closed by ws itself). */
  MESSAGE_TOO_BIG: 1009,
  /** Something unexpected failed on our side (logged with the connection id). */
  INTERNAL_ERROR: 1011,
  /** Whether the token was revoked cannot be known now (the database is unreachable): retry later. */
  TRY_AGAIN_LATER: 1013,
  /**
   * The client does not read: more than 4 MiB queued for it (outbound.ts). "Try again later"
   * rather than 1008: a slow but honest client (a bad network) reconnects and starts afresh
   * (the graphql-ws client retries 1013), and one that never reads gains nothing by it.
   */
  SLOW_CONSUMER: 1013,
  /**
   * A `subscribe` reused the id of an operation still being set up or still running
   * (graphql-ws's own code for a duplicate id; it only sees ids that have finished setting up).
   */
  DUPLICATE_OPERATION_ID: ProtocolCloseCode.SubscriberAlreadyExists,
  /** The token in `connection_init` proves nothing (invalid, expired, revoked, stale): refused at the door. */
  UNAUTHORIZED: ProtocolCloseCode.Unauthorized,
  /** Access ended while open: the token expired, its session ended, or the user's roles changed. */
  ACCESS_ENDED: ProtocolCloseCode.Forbidden,
  /** No `connection_init` within WS_CONNECTION_INIT_TIMEOUT (graphql-ws's own code). */
  CONNECTION_INIT_TIMEOUT: ProtocolCloseCode.ConnectionInitialisationTimeout,
  /**
   * Over WS_MAX_CONNECTIONS_PER_USER or WS_MAX_CONNECTIONS_PER_IP: RFC 6455's "policy
   * violation" (4429 is graphql-ws's own, for a second `connection_init`). The graphql-ws
   * client does not retry it: another connection must close first.
   */
  TOO_MANY_CONNECTIONS: 1008,
} as const;

export type CloseReason =
  | TokenFailureReason
  | 'TOO_MANY_CONNECTIONS'
  | 'SERVICE_UNAVAILABLE'
  | 'SHUTTING_DOWN'
  | 'INTERNAL_ERROR'
  | 'SLOW_CONSUMER'
  | 'DUPLICATE_OPERATION_ID';

/** Close codes counted by name in metrics; anything else (a client may choose any code) is "other". */
const COUNTED_CODES = new Set<number>([
  1000,
  1001,
  1005,
  1006,
  1008,
  1009,
  1011,
  1013,
  ...Object.values(ProtocolCloseCode).filter((code): code is number => typeof code === 'number'),
]);

export function closeCodeLabel(code: number): string {
  return COUNTED_CODES.has(code) ? String(code) : 'other';
}
