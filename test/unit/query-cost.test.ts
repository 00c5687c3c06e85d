import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import {
  Kind,
  getNullableType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  specifiedRules,
  validate,
  type GraphQLSchema,
  type GraphQLType,
  type OperationDefinitionNode,
} from 'graphql';
import { buildSchemaForPrinting } from '../../src/app';
import { PAGE_BOUNDS_EXTENSION } from '../../src/graphql/connection';
import { QUERY_COST_LIMITS, operationCost, queryCostRule } from '../../src/graphql/query-cost';

const operationsDir = path.resolve(__dirname, '../../schema/operations');

/**
 * List fields with no `first`, and why their length is bounded anyway. A new list field
 * must either be paged (`first` with @Paged bounds) or be added here with its reason.
 */
const BOUNDED_ELSEWHERE: Readonly<Record<string, string>> = {
  'UserConnection.edges': 'one page: at most the `first` of users (≤ 100)',
  'AuditEventConnection.edges': 'one page: at most the `first` of auditEvents (≤ 200)',
  'ArticleConnection.edges': 'one page: at most the `first` of articles (≤ 50)',
  'User.roles': 'one entry per role (3)',
  'Query.mySessions': 'at most MAX_LISTED_SESSIONS (100), declared with @MaxItems and priced so',
  'RecoveryCodes.codes': 'RECOVERY_CODE_COUNT (10), declared with @MaxItems',
  'Query.myPasskeys': 'at most MAX_PASSKEYS_PER_USER (20), declared with @MaxItems',
};

function isList(type: GraphQLType): boolean {
  return isListType(isNonNullType(type) ? getNullableType(type) : type);
}

describe('the query cost rule', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildSchemaForPrinting();
  });

  const costOf = (query: string) => {
    const document = parse(query);
    const operation = document.definitions.find(
      (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
    )!;
    return operationCost(schema, document, operation);
  };
  const errorsOf = (query: string) => validate(schema, parse(query), [...specifiedRules, queryCostRule()]);

  it.each(readdirSync(operationsDir).filter((file) => file.endsWith('.graphql')))(
    'lets every operation in schema/operations/%s through, at most half the limit',
    (file) => {
      const document = parse(readFileSync(path.join(operationsDir, file), 'utf8'));
      for (const definition of document.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
        expect(operationCost(schema, document, definition)).toBeLessThanOrEqual(QUERY_COST_LIMITS.maxCost / 2);
      }
      expect(validate(schema, document, [queryCostRule()])).toEqual([]);
    },
  );

  it('prices a page by its `first`: a literal as given, a variable at the maximum, none at the default', () => {
    const page = (first: string) => `query($n: Int) { users${first} { edges { node { id email } } } }`;
    // users 1, edges 1, then per item: node 1, id 1, email 1.
    const cost = (items: number) => 2 + items * 3;
    expect(costOf(page('(first: 10)'))).toBe(cost(10));
    expect(costOf(page('(first: $n)'))).toBe(cost(100));
    expect(costOf(page(''))).toBe(cost(20));
    expect(costOf(page('(first: null)'))).toBe(cost(20));
    // Past the maximum, execution refuses `first` (BAD_USER_INPUT); the cost is the maximum's.
    expect(costOf(page('(first: 5000)'))).toBe(cost(100));
    expect(costOf(`query($n: Int) { auditEvents(first: $n) { edges { node { id } } } }`)).toBe(2 + 200 * 2);
    // pageInfo is one object per page, whatever its size.
    expect(costOf(`{ users(first: 100) { pageInfo { hasNextPage } } }`)).toBe(3);
  });

  it('counts fragments and inline fragments where they are spread', () => {
    expect(
      costOf(`{ users(first: 2) { edges { node { ...Row ... on User { createdAt } } } } }
              fragment Row on User { id displayName }`),
    ).toBe(2 + 2 * (1 + 3));
  });

  it('refuses fifteen aliased pages of users with one validation error naming the limit', () => {
    const aliases = Array.from(
      { length: 15 },
      (_, i) => `p${i}: users(first: 100) { edges { cursor node { id email roles disabled } } }`,
    ).join(' ');
    const errors = errorsOf(`{ ${aliases} }`);
    expect(errors).toHaveLength(1);
    const cost = 15 * (2 + 100 * (1 + 1 + 4));
    expect(errors[0]!.message).toBe(
      `The operation's cost, ${cost}, exceeds the limit of 5000 (maxCost): ask for fewer items or fields.`,
    );
    expect(errors[0]!.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxCost', max: 5000, cost });
  });

  it('costs a fragment once however often it is spread (linear), and a cycle nothing', () => {
    const chain = Array.from({ length: 12 }, (_, i) =>
      i === 0 ? 'fragment F0 on User { id }' : `fragment F${i} on User { ...F${i - 1} ...F${i - 1} }`,
    ).join('\n');
    const started = performance.now();
    expect(costOf(`{ me { ...F11 } } ${chain}`)).toBe(1 + 2 ** 11);
    expect(performance.now() - started).toBeLessThan(50);
    expect(costOf('{ me { ...A } } fragment A on User { id ...B } fragment B on User { ...A }')).toBe(2);
  });

  it('finds every list field paged with declared bounds, or bounded for a stated reason', () => {
    const unbounded: string[] = [];
    const paged: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        const name = `${type.name}.${field.name}`;
        const hasFirst = field.args.some((arg) => arg.name === 'first');
        if (hasFirst) {
          if (!field.extensions[PAGE_BOUNDS_EXTENSION]) unbounded.push(`${name} (first without @Paged)`);
          else paged.push(name);
        } else if (isList(field.type) && !(name in BOUNDED_ELSEWHERE)) {
          unbounded.push(name);
        }
      }
    }
    expect(unbounded).toEqual([]);
    expect(paged.sort()).toEqual(['Query.articles', 'Query.auditEvents', 'Query.users']);
  });

  it('prices a list that declares its length by that length, not once (15 aliased mySessions)', () => {
    const aliases = Array.from(
      { length: 15 },
      (_, i) => `a${i}: mySessions { id createdAt lastUsedAt expiresAt userAgent ip current }`,
    );
    const document = parse(`{ ${aliases.join(' ')} }`);
    const operation = document.definitions[0] as OperationDefinitionNode;
    // 15 × (1 + 100 × 7): once counted as 15 × 8 = 120 while answering 1,500 sessions.
    expect(operationCost(schema, document, operation)).toBe(15 * (1 + 100 * 7));
  });
});
