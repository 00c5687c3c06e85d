import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Context } from '../context';
import type { Logger } from '../logger';
import { ErrorCode, isExpectedError } from '../errors/graphql-errors';

/**
 * Logs every error formatError is about to mask, in full and with the request id,
 * and puts that request id on the masked error so a report can be traced.
 */
export function errorReportingPlugin(logger: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue, request }) {
          for (const error of errors) {
            if (isExpectedError(error)) continue;
            // The request's own logger when the context exists: the line carries its reqId.
            (contextValue?.log ?? logger).error(
              {
                err: unwrapResolverError(error),
                requestId: contextValue?.requestId,
                operationName: request.operationName,
                path: error.path,
              },
              'unexpected error while answering a GraphQL request',
            );
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          response.body.singleResult.errors = response.body.singleResult.errors.map((error) =>
            error.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR
              ? { ...error, extensions: { ...error.extensions, requestId: contextValue.requestId } }
              : error,
          );
        },
      };
    },
  };
}
