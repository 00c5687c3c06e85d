import { WebSocket } from 'ws';
import { SubscriptionCloseCode } from './close-codes';
import type { Connection } from './subscription-connection';

/**
 * Bytes a socket may have queued in this process (ws's `bufferedAmount`: what the kernel has
 * not yet taken) before its reader is given up on. A client that stops reading while it
 * keeps asking (pings, subscriptions, events) would otherwise grow the server's memory
 * without bound. Well above what any live client falls behind by (results are a few KB),
 * and low enough that every allowed connection at once stays bounded.
 */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * The largest graphql-ws `ping` payload (as JSON) echoed in our `pong`; a bigger one is
 * answered with a bare `pong` (the protocol makes the payload optional), so a ping costs
 * the server no more to answer than this.
 */
export const MAX_ECHOED_PING_BYTES = 1024;

/** How long a reader given up on may take to read our close frame before its socket is cut. */
const CLOSE_GRACE_MS = 1000;

/**
 * Sends `data`, unless the socket has more than `maxBuffered` bytes queued: then it is closed
 * with 1013 SLOW_CONSUMER (try again later, and read: the graphql-ws client reconnects) and
 * cut after a grace, as its reader will likely never take the close frame; what was queued
 * for it is released with the socket. Nothing is sent on a socket that is not open.
 */
export function sendUnlessBehind(
  connection: Connection,
  data: string,
  maxBuffered: number = MAX_BUFFERED_BYTES,
): Promise<void> {
  const { socket } = connection;
  if (socket.readyState !== WebSocket.OPEN) return Promise.resolve();
  if (socket.bufferedAmount > maxBuffered) {
    connection.log.warn({ bufferedBytes: socket.bufferedAmount }, 'closing a WebSocket whose client does not read');
    connection.close(SubscriptionCloseCode.SLOW_CONSUMER, 'SLOW_CONSUMER');
    setTimeout(() => socket.readyState !== WebSocket.CLOSED && socket.terminate(), CLOSE_GRACE_MS).unref();
    return Promise.resolve();
  }
  return new Promise<void>((resolve, reject) => socket.send(data, (error) => (error ? reject(error) : resolve())));
}

/** The payload a `pong` may echo: the ping's own when small enough, none otherwise. */
export function echoedPingPayload(payload: unknown): Record<string, unknown> | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  return JSON.stringify(payload).length <= MAX_ECHOED_PING_BYTES ? (payload as Record<string, unknown>) : undefined;
}
