import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  getDirectiveValues,
  getLocation,
  getNamedType,
  isInterfaceType,
  isObjectType,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type SourceLocation,
} from 'graphql';
import type { AuthRule } from '../auth/policies';
import type { RecentAuthRequirement } from '../auth/step-up';
import type { Viewer } from '../auth/tokens';
import { accessThrough, policyIndex } from './operation-authorization.access';

/**
 * Whole-operation authorization: which fields of an operation the viewer may not read,
 * known before anything runs. It reads the same @auth/@public directives that
 * enforce-policies.ts enforces at execution and decides with the same pure decideAccess,
 * so the walk and the runtime cannot disagree about a role.
 *
 * What a walk cannot know is the parent object: an owner rule (SELF) is met or not by the
 * object a resolver returns. A field whose policy the viewer meets only as its owner is
 * neither allowed nor denied here but `dependsOnOwner`: reject mode lets it through (the
 * runtime check still guards it, answering null and FORBIDDEN for someone else's object),
 * and a dry run lists it apart. Nothing about the viewer's identity enters the result:
 * it depends only on whether the viewer is signed in and on their roles.
 *
 * Nor does the token's age: a field the viewer may read that asks for a recent
 * authentication (@recentAuth) is listed under `recentAuth`, and each request decides those
 * against its own token and clock (operation-authorization.step-up.ts) before it answers.
 */

/** Response keys (aliases where given) from the operation's root; list indices are not known before execution. */
export type ResponsePath = readonly string[];

export interface DeniedField {
  readonly path: ResponsePath;
  /** The code the runtime check would answer with: UNAUTHENTICATED for an anonymous viewer, else FORBIDDEN. */
  readonly code: 'UNAUTHENTICATED' | 'FORBIDDEN';
  readonly requires: readonly AuthRule[];
  /** Where the field is asked for in the document (plain positions: no AST is kept). */
  readonly locations: readonly SourceLocation[];
  /** Set when the policy is met but the token is too old or proves too few factors (STEP_UP_REQUIRED). */
  readonly stepUp?: RecentAuthRequirement;
}

/** A field the viewer's roles allow (or may allow, as its owner) that asks for a recent authentication as well. */
export interface RecentAuthField {
  readonly path: ResponsePath;
  /** The field's policy: what an anonymous caller is told it needs first, as at execution. */
  readonly requires: readonly AuthRule[];
  readonly requirement: RecentAuthRequirement;
  readonly locations: readonly SourceLocation[];
  /** How many `denied` entries come before it in document order, so a denial of it takes its place among them. */
  readonly deniedBefore: number;
}

export interface OwnerDependentField {
  readonly path: ResponsePath;
  readonly requires: readonly AuthRule[];
  readonly locations: readonly SourceLocation[];
}

/** What one request learns: whether it may run, and what execution will still decide. */
export interface OperationVerdict {
  /** Every path the viewer may not read whoever owns the object, in document order, one entry per path. */
  readonly denied: readonly DeniedField[];
  /** Paths the viewer may read only where they own the object (decided at execution). */
  readonly dependsOnOwner: readonly OwnerDependentField[];
}

/** The walk's answer for a role set: a verdict, less the step-ups each request decides for itself. */
export interface OperationAuthorization extends OperationVerdict {
  /** Paths that ask for a recent authentication on top of a policy the role set meets or may meet, in document order. */
  readonly recentAuth: readonly RecentAuthField[];
}

function fieldDefinition(parent: GraphQLNamedType, name: string): GraphQLField<unknown, unknown> | undefined {
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

/** As graphql-js's collectFields decides: @skip(if: true) or @include(if: false) leaves the selection out. */
export function isIncluded(
  node: FieldNode | FragmentSpreadNode | InlineFragmentNode,
  variables: Readonly<Record<string, unknown>>,
): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}

/** Variables that decide a @skip or @include anywhere in the document: the only ones the walk's answer depends on. */
export function conditionVariables(document: DocumentNode): readonly string[] {
  const names = new Set<string>();
  const pending: SelectionSetNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION) {
      pending.push(definition.selectionSet);
    }
  }
  for (let set = pending.pop(); set; set = pending.pop()) {
    for (const selection of set.selections) {
      for (const directive of selection.directives ?? []) {
        if (
          directive.name.value !== GraphQLSkipDirective.name &&
          directive.name.value !== GraphQLIncludeDirective.name
        ) {
          continue;
        }
        for (const argument of directive.arguments ?? []) {
          if (argument.value.kind === Kind.VARIABLE) names.add(argument.value.name.value);
        }
      }
      if (selection.kind !== Kind.FRAGMENT_SPREAD && selection.selectionSet) pending.push(selection.selectionSet);
    }
  }
  // Kept per document by the cache: copies, so that they do not keep the query text alive.
  return [...names].sort().map(detached);
}

/** The fragments entered on the way to a selection, innermost first: a fragment already on it is a cycle. */
interface FragmentChain {
  readonly name: string;
  readonly outer: FragmentChain | undefined;
}

function onChain(chain: FragmentChain | undefined, name: string): boolean {
  for (let link = chain; link; link = link.outer) if (link.name === name) return true;
  return false;
}

interface Task {
  readonly selection: SelectionNode;
  readonly parent: GraphQLNamedType;
  readonly path: ResponsePath;
  readonly chain?: FragmentChain | undefined;
}

export interface WalkInput {
  readonly schema: GraphQLSchema;
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  /** Coerced variable values (graphql-js's getVariableValues), for @skip and @include. */
  readonly variables: Readonly<Record<string, unknown>>;
  readonly viewer: Viewer | null;
}

/**
 * One walk over the operation as execution would collect it: fragments and inline
 * fragments expanded, aliases as response keys, @skip/@include decided with the request's
 * variables. A denied field's own selections are not walked: execution would never reach
 * them, and its path is the one to fix. Iterative, and each fragment is entered at most
 * once per chain, so a cycle (refused by validation anyway) ends.
 */
export function authorizeOperation({
  schema,
  document,
  operation,
  variables,
  viewer,
}: WalkInput): OperationAuthorization {
  const index = policyIndex(schema);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const denied = new Map<string, DeniedField>();
  const dependsOnOwner = new Map<string, OwnerDependentField>();
  const recentAuth = new Map<string, RecentAuthField>();
  const root = schema.getRootType(operation.operation);
  if (!root) return { denied: [], dependsOnOwner: [], recentAuth: [] };

  const stack: Task[] = [];
  // Pushed last to first, so that paths come out in document order.
  const push = (set: SelectionSetNode, parent: GraphQLNamedType, path: ResponsePath, chain?: FragmentChain) => {
    for (let i = set.selections.length - 1; i >= 0; i--)
      stack.push({ selection: set.selections[i]!, parent, path, chain });
  };
  push(operation.selectionSet, root, []);

  for (let task = stack.pop(); task; task = stack.pop()) {
    const { selection } = task;
    if (!isIncluded(selection, variables)) continue;
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : task.parent;
      if (type) push(selection.selectionSet, type, task.path, task.chain);
      continue;
    }
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      const type = fragment && schema.getType(fragment.typeCondition.name.value);
      if (!fragment || !type || onChain(task.chain, name)) continue;
      push(fragment.selectionSet, type, task.path, { name, outer: task.chain });
      continue;
    }
    // Meta fields (__typename, __schema, __type) carry no policy, as at execution.
    if (selection.name.value.startsWith('__')) continue;
    // A copy, not the AST's slice of the query text: a kept path must not keep the whole document alive.
    const path = [...task.path, detached(selection.alias?.value ?? selection.name.value)];
    const key = path.join('.');
    const access = accessThrough(schema, index, task.parent, selection.name.value, viewer);
    if (access.kind === 'denied') {
      if (!denied.has(key))
        denied.set(key, { path, code: access.code, requires: access.requires, locations: at(selection) });
      continue;
    }
    if (access.kind === 'dependsOnOwner' && !dependsOnOwner.has(key)) {
      dependsOnOwner.set(key, { path, requires: access.requires, locations: at(selection) });
    }
    if (access.recentAuth && !recentAuth.has(key)) {
      recentAuth.set(key, {
        path,
        requires: access.recentAuth.requires,
        requirement: access.recentAuth.requirement,
        locations: at(selection),
        deniedBefore: denied.size,
      });
    }
    const field = fieldDefinition(task.parent, selection.name.value);
    if (field && selection.selectionSet) {
      push(selection.selectionSet, getNamedType(field.type), path, task.chain);
    }
  }
  // A path denied through one selection is denied, whatever another selection of it allows.
  for (const key of denied.keys()) {
    dependsOnOwner.delete(key);
    recentAuth.delete(key);
  }
  return {
    denied: [...denied.values()],
    dependsOnOwner: [...dependsOnOwner.values()],
    recentAuth: [...recentAuth.values()],
  };
}

/**
 * A flat copy of a name taken from the AST. V8 makes a substring of 13 characters or more
 * a slice that points into its parent, here the request's whole query text: kept in the
 * cache, one 20-character alias would hold a 100 KB document in memory for as long as
 * the answer lives. Going through a Buffer always allocates a new, independent string.
 */
export function detached(name: string): string {
  return name.length < 13 ? name : Buffer.from(name, 'utf8').toString('utf8');
}

function at(node: FieldNode): SourceLocation[] {
  return node.loc ? [getLocation(node.loc.source, node.loc.start)] : [];
}
