import {
  GraphQLError,
  Kind,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { ErrorCode } from '../errors/graphql-errors';

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
      const found = rootFieldsNamed(operation.selectionSet, guarded, fragmentsOf(context));
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

function fragmentsOf(context: ValidationContext): ReadonlyMap<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of context.getDocument().definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** Root fields with a guarded name, through inline fragments and spreads (each fragment once: cycles stop). */
function rootFieldsNamed(
  root: SelectionSetNode,
  names: ReadonlySet<string>,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const pending: SelectionSetNode[] = [root];
  for (let set = pending.pop(); set; set = pending.pop()) {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (names.has(selection.name.value)) found.push(selection.name.value);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        pending.push(selection.selectionSet);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !seen.has(fragment.name.value)) {
          seen.add(fragment.name.value);
          pending.push(fragment.selectionSet);
        }
      }
    }
  }
  return found;
}
