import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import { ErrorCode } from '../errors/graphql-errors';
import { rootFields } from './root-fields';

/**
 * Refuses an operation that selects more than one credential-checking root field
 * (`fieldNames`), counting aliases and fields reached through fragments. Each such
 * field costs an argon2 hash: eight aliased `signUp`s in one request were eight
 * hashes and eight accounts behind one rate-limit check.
 */
export function singleCredentialCheckRule(fieldNames: readonly string[]): ValidationRule {
  const guarded = new Set(fieldNames);
  return (context: ValidationContext) => ({
    OperationDefinition(operation) {
      if (operation.operation !== 'mutation') return false;
      const found = rootFields(context.getDocument(), operation).filter((field) => guarded.has(field.name));
      if (found.length > 1) {
        context.reportError(
          new GraphQLError(
            `An operation may run at most one of ${fieldNames.join(', ')}; this one asks for ${found.length}.`,
            {
              nodes: operation,
              extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED },
            },
          ),
        );
      }
      return false;
    },
  });
}
