import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../context';
import { ErrorCode } from '../errors/graphql-errors';

/**
 * An answer that is missing something because a store was unreachable is HTTP 503 with
 * `Retry-After` (RFC 9110 §15.6.4), whatever else it holds: retrying later gives the whole
 * answer, and load balancers and clients retry on 503 without reading GraphQL errors.
 * (Failures before execution, in the context, carry their status themselves.)
 */
export function serviceUnavailablePlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          let retryAfter: number | null = null;
          for (const error of response.body.singleResult.errors ?? []) {
            if (error.extensions?.code !== ErrorCode.SERVICE_UNAVAILABLE) continue;
            const seconds = error.extensions.retryAfter;
            retryAfter = Math.max(retryAfter ?? 1, typeof seconds === 'number' ? seconds : 1);
          }
          if (retryAfter === null) return;
          response.http.status = 503;
          response.http.headers.set('retry-after', String(retryAfter));
        },
      };
    },
  };
}
