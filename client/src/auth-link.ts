import { ApolloLink, ServerError } from '@apollo/client';
import { Observable, type Subscription } from 'rxjs';
import { tokenRejection, type TokenRejection, type WireError } from './graphql-errors';
import type { RefreshOutcome } from './session';

/** What the link needs of the session. */
export interface AuthLinkSession {
  tokenForRequest(): Promise<string | null>;
  refreshReplacing(rejected: string): Promise<RefreshOutcome>;
  sessionEnded(rejected: string): Promise<void>;
}

function withAuthorization(headers: Record<string, string> | undefined, token: string | null): Record<string, string> {
  const next: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'authorization') next[name] = value;
  }
  if (token) next.authorization = `Bearer ${token}`;
  return next;
}

/**
 * The errors of a refused request that Apollo turned into a ServerError: a 401 answered as
 * `application/json` (a server that does not speak `application/graphql-response+json`).
 */
function errorsOfServerError(error: unknown): readonly WireError[] | undefined {
  if (!ServerError.is(error) || error.statusCode !== 401) return undefined;
  try {
    const body = JSON.parse(error.bodyText) as { errors?: unknown };
    return Array.isArray(body.errors) ? (body.errors as WireError[]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Attaches `Authorization: Bearer <access token>` and recovers from a refused token: on a 401
 * whose reason a refresh cures (TOKEN_EXPIRED, TOKEN_STALE, TOKEN_INVALID), the operation waits
 * for the one refresh shared by every operation in flight, then is sent again, once, with the
 * new token. On TOKEN_REVOKED, or when the refresh ends the session, the session signs out
 * (cache cleared) and the operation gets the server's answer.
 */
export function createAuthLink(session: AuthLinkSession): ApolloLink {
  return new ApolloLink(
    (operation, forward) =>
      new Observable<ApolloLink.Result>((observer) => {
        let closed = false;
        let current: Subscription | null = null;

        /** Whether the operation is worth sending again after the token was refused. */
        const refreshed = async (sent: string): Promise<boolean> =>
          (await session.refreshReplacing(sent)).kind === 'token';

        const attempt = (retriesLeft: number): void => {
          session.tokenForRequest().then(
            (token) => {
              if (closed) return;
              operation.setContext(({ headers }) => ({
                headers: withAuthorization(headers as Record<string, string> | undefined, token),
              }));
              let superseded = false;
              const retryOr = (rejection: TokenRejection | null, answer: () => void): boolean => {
                if (!rejection || !token || retriesLeft === 0) return false;
                superseded = true;
                if (rejection === 'revoked') {
                  // The operation gets the server's answer first; then the session ends (and
                  // clearing the cache cancels what else is in flight).
                  answer();
                  void session.sessionEnded(token);
                  return true;
                }
                refreshed(token).then(
                  (retry) => {
                    if (closed) return;
                    if (retry) attempt(retriesLeft - 1);
                    else answer();
                  },
                  (error: unknown) => observer.error(error),
                );
                return true;
              };
              current = forward(operation).subscribe({
                next: (result) => {
                  if (superseded) return;
                  const errors = 'errors' in result ? (result.errors as readonly WireError[] | undefined) : undefined;
                  const answer = () => {
                    observer.next(result);
                    observer.complete();
                  };
                  if (!retryOr(tokenRejection(errors), answer)) observer.next(result);
                },
                error: (error: unknown) => {
                  if (superseded) return;
                  if (!retryOr(tokenRejection(errorsOfServerError(error)), () => observer.error(error))) {
                    observer.error(error);
                  }
                },
                complete: () => {
                  if (!superseded) observer.complete();
                },
              });
            },
            (error: unknown) => observer.error(error),
          );
        };

        attempt(1);
        return () => {
          closed = true;
          current?.unsubscribe();
        };
      }),
  );
}
