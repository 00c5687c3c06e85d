import type { ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, type GraphQLFormattedError, type OperationDefinitionNode } from 'graphql';
import type { Context } from '../context';
import { rootFields } from './root-fields';
import { ErrorCode } from '../errors/graphql-errors';

/**
 * A request refused as a whole answers HTTP 429 with `Retry-After` (RFC 6585 §4,
 * RFC 9110 §10.2.3), so that proxies, SDKs and humans see the wait without reading
 * GraphQL errors. "As a whole" means every root field of the operation failed with
 * TOO_MANY_REQUESTS: then nothing ran, and Retry-After is the longest `retryAfter`.
 * Anything else (a root field that answered or failed otherwise) is a partial result
 * and stays 200, as GraphQL over HTTP answers execution errors. The body is unchanged.
 */
export function tooManyRequestsPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, document, operation }) {
          if (response.body.kind !== 'single' || !document || !operation) return;
          const retryAfter = wholeRequestRefusal(response.body.singleResult.errors, document, operation);
          if (retryAfter === null) return;
          response.http.status = 429;
          response.http.headers.set('retry-after', String(retryAfter));
        },
      };
    },
  };
}

/** The seconds to wait when every root field was refused as too many requests; null otherwise. */
export function wholeRequestRefusal(
  errors: readonly GraphQLFormattedError[] | undefined,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): number | null {
  if (!errors?.length) return null;
  let retryAfter = 0;
  const refused = new Set<string | number>();
  for (const error of errors) {
    const seconds = error.extensions?.retryAfter;
    if (error.extensions?.code !== ErrorCode.TOO_MANY_REQUESTS || typeof seconds !== 'number') return null;
    if (error.path?.length !== 1) return null;
    refused.add(error.path[0]!);
    retryAfter = Math.max(retryAfter, seconds);
  }
  for (const key of rootResponseKeys(document, operation)) if (!refused.has(key)) return null;
  return retryAfter;
}

/**
 * The response names of the operation's root fields. `@skip` and `@include` are not
 * evaluated: a field they left out counts as not refused, so such a request stays 200
 * rather than claim a refusal it cannot prove.
 */
function rootResponseKeys(document: DocumentNode, operation: OperationDefinitionNode): Set<string> {
  return new Set(rootFields(document, operation).map((field) => field.key));
}
