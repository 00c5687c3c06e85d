import { performance } from 'node:perf_hooks';
import type { ApolloServerPlugin } from '@apollo/server';
import { type GraphQLFormattedError } from 'graphql';
import type { Context } from '../context';
import { rootFields } from './root-fields';
import { ErrorCode } from '../errors/graphql-errors';
import type { Metrics } from '../observability/metrics';

const PUBLIC_CODES = new Set<string>(Object.values(ErrorCode));
/** What a login or refresh may end as; anything else is counted as "other", so labels stay a fixed list. */
const RESULTS = new Set<string>([
  'success',
  'INVALID_CREDENTIALS',
  'REFRESH_TOKEN_INVALID',
  'REFRESH_TOKEN_REUSED',
  'SESSION_EXPIRED',
  ...PUBLIC_CODES,
]);

/**
 * Counts and times every GraphQL request that reached Apollo's pipeline, by operation
 * type (never its name: clients choose names) and outcome ("ok" or the first error's
 * code, from the closed list), and counts logins and refreshes by result.
 */
export function metricsPlugin(metrics: Metrics): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const startedAt = performance.now();
      return {
        async willSendResponse({ response, operation, document }) {
          if (response.body.kind !== 'single') return;
          const { errors, data } = response.body.singleResult;
          const outcome = errors?.length ? codeOf(errors[0]!) : 'ok';
          metrics.graphqlDuration.observe(
            { operation: operation?.operation ?? 'none', outcome },
            (performance.now() - startedAt) / 1000,
          );
          if (!operation || !document || operation.operation !== 'mutation') return;
          for (const { name, key } of rootFields(document, operation)) {
            const counter = name === 'login' ? metrics.logins : name === 'refresh' ? metrics.refreshes : null;
            if (!counter) continue;
            const error = errors?.find((each) => each.path?.[0] === key);
            if (error) counter.inc({ result: resultOf(error) });
            else if (data?.[key] !== undefined && data[key] !== null) counter.inc({ result: 'success' });
          }
        },
      };
    },
  };
}

function codeOf(error: GraphQLFormattedError): string {
  const code = error.extensions?.code;
  return typeof code === 'string' && PUBLIC_CODES.has(code) ? code : ErrorCode.INTERNAL_SERVER_ERROR;
}

function resultOf(error: GraphQLFormattedError): string {
  const reason = error.extensions?.reason;
  const result = typeof reason === 'string' ? reason : codeOf(error);
  return RESULTS.has(result) ? result : 'other';
}
