import type { IncomingMessage } from 'node:http';

/**
 * The client's address for an upgrade request, as Fastify computes `request.ip` for every
 * other request (src/server.ts): the socket's address, or, behind `trustProxyHops` proxies,
 * the address that many hops back in X-Forwarded-For (never further than the header goes).
 */
export function clientAddress(request: IncomingMessage, trustProxyHops: number): string | null {
  const socketAddress = request.socket.remoteAddress ?? null;
  if (trustProxyHops === 0 || socketAddress === null) return socketAddress;
  const header = request.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((address) => address.trim())
    .filter(Boolean)
    .reverse();
  const chain = [socketAddress, ...forwarded];
  return chain[Math.min(trustProxyHops, chain.length - 1)]!;
}

/**
 * Whether a WebSocket handshake may proceed from this Origin. Browsers send no preflight for
 * WebSockets and attach the site's cookies, so without this check any page a user visits
 * could open a socket to us as them (cross-site WebSocket hijacking). Our sockets carry no
 * cookie-based identity (the token comes in `connection_init`), but the rule holds anyway.
 *
 * - Origin in CORS_ORIGINS: allowed (the web app on its own origin).
 * - Same origin (the Origin's host is the Host the request was sent to): allowed; that is a
 *   page we served (Apollo Sandbox outside production).
 * - No Origin: allowed. Browsers always send one on a WebSocket handshake; its absence means
 *   a program (a server, a mobile app, a CLI), which can forge any header anyway.
 * - Anything else, `null` included (sandboxed frames, file:// pages): refused with 403.
 */
export function originAllowed(request: IncomingMessage, corsOrigins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (corsOrigins.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const host = request.headers.host;
  return /^https?:$/.test(url.protocol) && host !== undefined && url.host === host.toLowerCase();
}

/** The request's path without its query string (which is never read: no token travels in a URL). */
export function requestPath(request: IncomingMessage): string {
  return (request.url ?? '').split('?', 1)[0]!;
}
