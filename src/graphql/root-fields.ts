import {
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';

/** A root field of an operation: its name and the key it answers under (its alias, if any). */
export interface RootField {
  readonly name: string;
  readonly key: string;
  readonly node: FieldNode;
}

/**
 * The operation's root fields, through inline fragments and spreads; each fragment is
 * entered once, so cycles stop (NoFragmentCyclesRule refuses them elsewhere). Iterative:
 * nesting is the client's to choose. `@skip`/`@include` are not evaluated.
 */
export function rootFields(document: DocumentNode, operation: OperationDefinitionNode): RootField[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const fields: RootField[] = [];
  const entered = new Set<string>();
  const pending = [operation.selectionSet];
  for (let set = pending.pop(); set; set = pending.pop()) {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        fields.push({
          name: selection.name.value,
          key: selection.alias?.value ?? selection.name.value,
          node: selection,
        });
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
