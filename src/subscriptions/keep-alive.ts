import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';

/** A WebSocket-level ping this often; a socket that has not echoed the previous one by then is cut. */
export const KEEP_ALIVE_MS = 12_000;
const NONCE_BYTES = 16;

/**
 * Pings `socket` every `intervalMs` with a fresh random nonce and terminates it when the
 * previous ping's nonce has not come back. Only a pong echoing the nonce counts: RFC 6455
 * allows unsolicited pongs, and a client that stopped reading (so never sees our pings)
 * could otherwise send them to keep itself, and all the server has queued for it, alive.
 * Returns what stops it.
 */
export function keepAlive(socket: WebSocket, intervalMs: number = KEEP_ALIVE_MS): () => void {
  let unanswered: Buffer | null = null;
  const onPong = (data: Buffer) => {
    if (unanswered?.equals(data)) unanswered = null;
  };
  socket.on('pong', onPong);
  const timer = setInterval(() => {
    if (unanswered) return void socket.terminate();
    unanswered = randomBytes(NONCE_BYTES);
    socket.ping(unanswered);
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    socket.off('pong', onPong);
  };
}
