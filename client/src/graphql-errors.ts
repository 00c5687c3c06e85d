import { TollgateError } from './tollgate-error';

/** A GraphQL error as it arrives in a response body. */
export interface WireError {
  readonly message?: unknown;
  readonly path?: unknown;
  readonly extensions?: Record<string, unknown>;
}

const stringOrUndefined = (value: unknown) => (typeof value === 'string' ? value : undefined);
const numberOrUndefined = (value: unknown) => (typeof value === 'number' ? value : undefined);

/** The first error of an answer, typed; the message is the server's (never a secret: the server masks). */
export function toTollgateError(error: WireError, status: number | undefined): TollgateError {
  const extensions = error.extensions ?? {};
  return new TollgateError(typeof error.message === 'string' ? error.message : 'The request failed.', {
    code: stringOrUndefined(extensions.code) ?? 'INTERNAL_SERVER_ERROR',
    reason: stringOrUndefined(extensions.reason),
    field: stringOrUndefined(extensions.field),
    retryAfter: numberOrUndefined(extensions.retryAfter),
    status,
    extensions,
  });
}

/** The token failures after which one refresh and one retry can succeed. */
const RETRYABLE_TOKEN_REASONS: ReadonlySet<string> = new Set(['TOKEN_EXPIRED', 'TOKEN_STALE', 'TOKEN_INVALID']);

export type TokenRejection = 'retryable' | 'revoked';

/**
 * How the server judged the bearer token, from a request-level error (no `path`): it refuses a
 * bad token with HTTP 401 before any resolver runs. `TOKEN_EXPIRED` and `TOKEN_STALE` (roles
 * changed) are cured by a refresh; so is `TOKEN_INVALID` after a signing key was retired.
 * `TOKEN_REVOKED` means the session has ended: a refresh cannot bring it back.
 */
export function tokenRejection(errors: readonly WireError[] | undefined): TokenRejection | null {
  for (const error of errors ?? []) {
    if (error.path !== undefined || error.extensions?.code !== 'UNAUTHENTICATED') continue;
    const reason = error.extensions.reason;
    if (typeof reason !== 'string') continue;
    if (RETRYABLE_TOKEN_REASONS.has(reason)) return 'retryable';
    if (reason === 'TOKEN_REVOKED') return 'revoked';
  }
  return null;
}
