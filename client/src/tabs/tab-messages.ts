import type { SignedOutReason } from '../session-state';

/**
 * What a tab tells the others. Over BroadcastChannel a new access token travels with
 * `signedIn`/`refreshed`: the channel is same-origin and in memory, and any script able to
 * listen on it could already call `refresh` with the cookie itself, so it widens nothing.
 * Tokens are never written to storage; the `storage`-event fallback carries no token.
 */
export type TabMessage =
  | {
      readonly type: 'signedIn' | 'refreshed';
      readonly from: string;
      readonly accessToken: string;
      /** Milliseconds since the epoch; tabs share the device's clock. */
      readonly expiresAt: number;
    }
  | { readonly type: 'signedOut'; readonly from: string; readonly reason: SignedOutReason }
  /** The fallback's `signedIn`/`refreshed`: "the session changed; restore it from the cookie if you have none". */
  | { readonly type: 'sessionChanged'; readonly from: string };

const REASONS: ReadonlySet<string> = new Set<SignedOutReason>([
  'LOGGED_OUT',
  'REFRESH_TOKEN_INVALID',
  'REFRESH_TOKEN_REUSED',
  'SESSION_EXPIRED',
  'TOKEN_REVOKED',
]);

/** Narrows what arrived on the channel; anything else (another app's message, a newer version's) is ignored. */
export function parseTabMessage(data: unknown): TabMessage | null {
  if (typeof data !== 'object' || data === null) return null;
  const message = data as Record<string, unknown>;
  if (typeof message.from !== 'string') return null;
  switch (message.type) {
    case 'signedIn':
    case 'refreshed':
      if (typeof message.accessToken !== 'string' || typeof message.expiresAt !== 'number') return null;
      return { type: message.type, from: message.from, accessToken: message.accessToken, expiresAt: message.expiresAt };
    case 'signedOut':
      if (typeof message.reason !== 'string' || !REASONS.has(message.reason)) return null;
      return { type: 'signedOut', from: message.from, reason: message.reason as SignedOutReason };
    case 'sessionChanged':
      return { type: 'sessionChanged', from: message.from };
    default:
      return null;
  }
}
