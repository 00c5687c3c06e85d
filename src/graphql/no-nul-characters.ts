import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import type { Context } from '../context';
import { ErrorCode } from '../errors/graphql-errors';

/**
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

/** In the variables (JSON, POST or GET), checked after validation and before anything runs. */
export function noNulInVariablesPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request }) {
          if (containsNul(request.variables)) {
            throw new GraphQLError(MESSAGE, {
              extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}

/** Iterative: the body is at most 100 KB, but its nesting is the client's to choose. */
function containsNul(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      if (next.includes(NUL)) return true;
    } else if (next !== null && typeof next === 'object') {
      for (const [key, child] of Object.entries(next)) {
        if (key.includes(NUL)) return true;
        pending.push(child);
      }
    }
  }
  return false;
}
