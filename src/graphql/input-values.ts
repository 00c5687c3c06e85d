import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import type { Context } from '../context';
import { ErrorCode } from '../errors/graphql-errors';

/**
 * What values a request may carry, beyond what the schema's types say.
 *
 * No string anywhere in a request may hold U+0000. PostgreSQL's text types cannot store it
 * (the driver fails: an anonymous "Internal server error" and an error-level log line,
 * as often as anyone likes), SQLite would store it and C-string consumers cut it short,
 * and nobody types it. Refused up front with a clear error, so no resolver ever sees it.
 */
const NUL = '\u0000';
const MESSAGE = 'Strings may not contain the NUL character (U+0000).';

/** In the document: string literals, `"\u0000"` escapes included. */
export const noNulInDocumentRule: ValidationRule = (context: ValidationContext) => ({
  StringValue(node) {
    if (node.value.includes(NUL)) {
      context.reportError(
        new GraphQLError(MESSAGE, { nodes: node, extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED } }),
      );
    }
  },
});

/**
 * Values in all the variables at most. Ours need tens; graphql-js coerces variables in time
 * proportional to their size and prints a bad value whole in each of up to 50 errors: one
 * 100 KB object of 10,000 unknown keys cost half a second and a 5 MB answer.
 */
export const MAX_VARIABLE_VALUES = 1000;

/** In the variables (JSON, POST or GET), checked after validation and before they are coerced. */
export function variablesPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request }) {
          const problem = variablesProblem(request.variables);
          if (problem) {
            throw new GraphQLError(problem, { extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } } });
          }
        },
      };
    },
  };
}

/**
 * What is wrong with a request's variables, or null. Iterative, stopping at the first problem:
 * the body is at most 100 KB (a WebSocket message WS_MAX_MESSAGE_BYTES), but its nesting is the
 * client's to choose. Over HTTP through variablesPlugin; over WebSocket by src/subscriptions/.
 */
export function variablesProblem(variables: unknown): string | null {
  const pending: unknown[] = [variables];
  let values = 0;
  while (pending.length > 0) {
    const next = pending.pop();
    if (++values > MAX_VARIABLE_VALUES + 1) {
      return `Variables may hold at most ${MAX_VARIABLE_VALUES} values (maxVariableValues).`;
    }
    if (typeof next === 'string') {
      if (next.includes(NUL)) return MESSAGE;
    } else if (next !== null && typeof next === 'object') {
      for (const [key, child] of Object.entries(next)) {
        if (key.includes(NUL)) return MESSAGE;
        pending.push(child);
      }
    }
  }
  return null;
}

export const SUBSCRIPTIONS_OVER_HTTP_MESSAGE =
  'Subscriptions are served over WebSocket (the graphql-transport-ws protocol) at this same path, not over HTTP.';

/**
 * HTTP serves queries and mutations only: a subscription needs a connection that stays open
 * (src/subscriptions/). Over HTTP graphql-js would run its root field's resolver once, with no
 * event: refused as what it is, a validation error, before anything runs.
 */
export const knownOperationTypesRule: ValidationRule = (context: ValidationContext) => ({
  OperationDefinition(node) {
    if (node.operation === 'subscription') {
      context.reportError(
        new GraphQLError(SUBSCRIPTIONS_OVER_HTTP_MESSAGE, {
          nodes: node,
          extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED },
        }),
      );
    }
  },
});
