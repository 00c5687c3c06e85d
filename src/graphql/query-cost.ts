import {
  GraphQLError,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  getNamedType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';
import { ErrorCode } from '../errors/graphql-errors';
import { LIST_LENGTH_EXTENSION, PAGE_BOUNDS_EXTENSION, type PageBounds } from './connection';

/**
 * What an operation may ask the server to resolve. The document limits bound its
 * text and shape (depth 10, 1,000 selections); this bounds its work: every field
 * costs 1, and below a paged field (one with `first`), each list it returns (a
 * connection's `edges`) costs its contents once per item the page may hold.
 */
export const QUERY_COST_LIMITS = Object.freeze({
  /**
   * Our costliest operation, AuditEvents at its largest page (200), costs 2,205, and
   * Users (100) 605; a dashboard of a user page, two audit pages and the sessions 1,510.
   * Fifteen aliased 100-user pages (what the document limits still allow) cost 9,030.
   */
  maxCost: 5000,
  /** Items assumed of a paged field that declares no bounds, when `first` is a variable. */
  undeclaredPageSize: 100,
});

export type QueryCostLimits = { readonly [K in keyof typeof QUERY_COST_LIMITS]: number };

/**
 * Apollo's `validationRules`: refuses an operation whose cost exceeds `maxCost`, with one
 * error naming the limit. Validation runs without variables (and Apollo caches its
 * verdict per document), so a `first` given as a variable costs the field's declared
 * maximum. Runs after the document limits: a document over those never reaches it.
 */
export function queryCostRule(limits: QueryCostLimits = QUERY_COST_LIMITS): ValidationRule {
  return (context) => ({
    Document(document) {
      for (const definition of document.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
        const cost = operationCost(context.getSchema(), document, definition, limits);
        if (cost <= limits.maxCost) continue;
        context.reportError(
          new GraphQLError(
            `The operation's cost, ${cost}, exceeds the limit of ${limits.maxCost} (maxCost): ask for fewer items or fields.`,
            {
              nodes: definition,
              extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED, limit: 'maxCost', max: limits.maxCost, cost },
            },
          ),
        );
        return false;
      }
      return false;
    },
  });
}

/**
 * The cost of one operation, fragments expanded. Linear: a fragment's cost depends
 * only on the page size it is spread under, so each is computed once per page size
 * (there are few); a cycle costs nothing here (NoFragmentCyclesRule refuses it).
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  limits: QueryCostLimits = QUERY_COST_LIMITS,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const fragmentCosts = new Map<string, number>();

  /** `items`: the page size of the paged field this selection set belongs to (1 elsewhere). */
  const costOf = (set: SelectionSetNode, parent: GraphQLNamedType | undefined | null, items: number): number => {
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const field = parent ? fieldOf(schema, parent, selection.name.value) : undefined;
        cost += 1;
        if (selection.selectionSet && field) {
          const page = pageSizeOf(field, selection, limits);
          const listed = isList(field.type);
          // A paged list holds `page` items, a list that declares its length that many; a connection
          // passes its page on to the lists it returns.
          const declared = field.extensions[LIST_LENGTH_EXTENSION] as number | undefined;
          const times = listed ? (page ?? declared ?? items) : 1;
          cost += times * costOf(selection.selectionSet, getNamedType(field.type), !listed && page ? page : 1);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        cost += costOf(selection.selectionSet, type, items);
      } else {
        cost += fragmentCost(selection.name.value, items);
      }
    }
    return cost;
  };
  const fragmentCost = (name: string, items: number): number => {
    const fragment = fragments.get(name);
    const memo = `${items} ${name}`;
    if (!fragment) return 0;
    if (!fragmentCosts.has(memo)) {
      fragmentCosts.set(memo, 0);
      fragmentCosts.set(memo, costOf(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value), items));
    }
    return fragmentCosts.get(memo)!;
  };
  return costOf(operation.selectionSet, schema.getRootType(operation.operation), 1);
}

function isList(type: GraphQLType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/** Items a paged field's page may hold: its `first`, at most its declared maximum; null if it is not paged. */
function pageSizeOf(field: GraphQLField<unknown, unknown>, node: FieldNode, limits: QueryCostLimits): number | null {
  const parameter = field.args.find((arg) => arg.name === 'first');
  if (!parameter) return null;
  const bounds = field.extensions[PAGE_BOUNDS_EXTENSION] as PageBounds | undefined;
  const max = bounds?.max ?? limits.undeclaredPageSize;
  const given = node.arguments?.find((arg) => arg.name.value === 'first')?.value;
  let size: number;
  if (given?.kind === Kind.INT) size = Number(given.value);
  // A variable may carry anything up to the maximum.
  else if (given?.kind === Kind.VARIABLE) size = max;
  // Missing or null: pageSize() takes the default.
  else size = bounds?.default ?? (typeof parameter.defaultValue === 'number' ? parameter.defaultValue : max);
  // Past the maximum, pageSize() refuses at execution with BAD_USER_INPUT naming `first`.
  return Math.max(1, Math.min(size, max));
}

function fieldOf(
  schema: GraphQLSchema,
  parent: GraphQLNamedType,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
  if (parent === schema.getQueryType()) {
    if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  }
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}
