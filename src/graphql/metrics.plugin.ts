import { performance } from 'node:perf_hooks';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Context } from '../context';
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

/** The operation's root fields (through fragments), with the key each answers under. */
function rootFields(document: DocumentNode, operation: OperationDefinitionNode): Array<{ name: string; key: string }> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const fields: Array<{ name: string; key: string }> = [];
  const entered = new Set<string>();
  const pending: SelectionSetNode[] = [operation.selectionSet];
  for (let set = pending.pop(); set; set = pending.pop()) {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        fields.push({ name: selection.name.value, key: selection.alias?.value ?? selection.name.value });
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        pending.push(selection.selectionSet);
      } else if (!entered.has(selection.name.value)) {
        entered.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) pending.push(fragment.selectionSet);
      }
    }
  }
  return fields;
}
