import {
  BREAK,
  GraphQLError,
  Kind,
  visit,
  type ASTNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type ParseOptions,
  type SelectionNode,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';
import { ErrorCode } from '../errors/graphql-errors';

/**
 * How big and how tangled a GraphQL document may be. The parser enforces the
 * first three; `documentLimitsRule` enforces the rest before any of graphql-js's
 * own validation rules walks the document (OverlappingFieldsCanBeMerged is
 * quadratic in fields that share a response name: 600 `me { id }` held the
 * event loop for seconds). Each limit is far above what our operations need.
 */
export const DOCUMENT_LIMITS = Object.freeze({
  /**
   * Lexical tokens (comments excluded). The parser recurses once per `[` of a list
   * literal, and Node 20's default stack overflows between 1,800 and 2,000 levels:
   * 1,000 tokens reach half that at most. Our largest operation file has 152.
   */
  maxTokens: 1000,
  /** Comments are not tokens, yet 50,000 of them took 25–30 ms to lex. */
  maxComments: 100,
  /** UTF-16 code units of the query: 100 KB of block-string lines took 10–40 ms to lex; 1,000 tokens print in ~6 KB. */
  maxSourceLength: 32 * 1024,
  /** Levels of nested fields, through fragments. Our schema's deepest path has 4. */
  maxDepth: 10,
  /** Aliases in the document: each asks for a field one more time. */
  maxAliases: 15,
  /** Directives in the document (`@include`, `@skip`, …). */
  maxDirectives: 50,
  /**
   * Fields answering one response path (merged through fragments and same-named
   * parents, as execution merges them). OverlappingFieldsCanBeMerged compares
   * these pairwise, so this bounds its work to ~maxFieldRepeats × maxSelections.
   */
  maxFieldRepeats: 20,
  /** Fields, fragment spreads and inline fragments after expanding every fragment spread. */
  maxSelections: 1000,
  /** Nesting of list and input-object literals, and of list types in variable definitions. */
  maxValueDepth: 10,
});

export type DocumentLimits = { readonly [K in keyof typeof DOCUMENT_LIMITS]: number };
export type DocumentLimit = keyof DocumentLimits;

/** Apollo's `parseOptions`: the parser stops as soon as a document goes over a limit. */
export function documentParseOptions(limits: DocumentLimits = DOCUMENT_LIMITS): ParseOptions {
  return Object.freeze({
    maxLexicalTokens: limits.maxTokens,
    maxComments: limits.maxComments,
    maxSourceLength: limits.maxSourceLength,
  });
}

export interface LimitViolation {
  readonly limit: DocumentLimit;
  readonly message: string;
  /** Where the document first went over the limit. */
  readonly node: ASTNode;
}

type CheckedLimit = Exclude<DocumentLimit, 'maxTokens' | 'maxComments' | 'maxSourceLength'>;

const SUBJECTS: Record<CheckedLimit, (responseName?: string) => string> = {
  maxDepth: () => 'Field nesting depth',
  maxAliases: () => 'The number of aliases',
  maxDirectives: () => 'The number of directives',
  maxFieldRepeats: (responseName) => `The number of fields answering "${responseName}" at one response path`,
  maxSelections: () => 'The number of selections after expanding fragments',
  maxValueDepth: () => 'Nesting of list and input-object values',
};

// A visitor that returns a node replaces the one it entered, for every rule of
// validate()'s parallel visit: the superlinear rules then have nothing to walk. Only
// the Document visitors of the rules listed before this one (graphql-js's, all
// linear) have run. Throwing would not do: Apollo answers that with a 500 and logs it.
const EMPTY_DOCUMENT: DocumentNode = Object.freeze({ kind: Kind.DOCUMENT, definitions: Object.freeze([]) });

/** Apollo's `validationRules`: refuses a document over `limits` with one error naming the limit. */
export function documentLimitsRule(limits: DocumentLimits = DOCUMENT_LIMITS): ValidationRule {
  return (context) => ({
    Document(document) {
      const violation = findLimitViolation(document, limits);
      if (!violation) return undefined;
      context.reportError(
        new GraphQLError(violation.message, {
          nodes: violation.node,
          extensions: {
            code: ErrorCode.GRAPHQL_VALIDATION_FAILED,
            limit: violation.limit,
            max: limits[violation.limit],
          },
        }),
      );
      return EMPTY_DOCUMENT;
    },
  });
}

/**
 * The first limit the document goes over, or null. Iterative (the attacker
 * chooses the nesting) and linear: the expansion of fragments stops at
 * `maxSelections`, so fragment fan-out and fragment cycles cost no more.
 */
export function findLimitViolation(
  document: DocumentNode,
  limits: DocumentLimits = DOCUMENT_LIMITS,
): LimitViolation | null {
  return findSyntaxViolation(document, limits) ?? findExpansionViolation(document, limits);
}

function violation(limit: CheckedLimit, limits: DocumentLimits, node: ASTNode, responseName?: string): LimitViolation {
  const message = `${SUBJECTS[limit](responseName)} exceeds the limit of ${limits[limit]} (${limit}).`;
  return { limit, node, message };
}

/** Counts what the text holds, wherever it is: aliases, directives and nested values. */
function findSyntaxViolation(document: DocumentNode, limits: DocumentLimits): LimitViolation | null {
  const found: LimitViolation[] = [];
  let aliases = 0;
  let directives = 0;
  let valueDepth = 0;
  const nested = {
    enter(node: ASTNode) {
      if (++valueDepth <= limits.maxValueDepth) return undefined;
      found.push(violation('maxValueDepth', limits, node));
      return BREAK;
    },
    leave() {
      valueDepth--;
    },
  };
  // graphql-js's visit keeps its own stack: no recursion however deep the document.
  visit(document, {
    Field(node) {
      if (!node.alias || ++aliases <= limits.maxAliases) return undefined;
      found.push(violation('maxAliases', limits, node));
      return BREAK;
    },
    Directive(node) {
      if (++directives <= limits.maxDirectives) return undefined;
      found.push(violation('maxDirectives', limits, node));
      return BREAK;
    },
    ListValue: nested,
    ObjectValue: nested,
    ListType: nested,
  });
  return found[0] ?? null;
}

/** A response path: how many fields answer it, and the paths below it. */
interface Slot {
  count: number;
  readonly children: Map<string, Slot>;
}

type Task =
  | { readonly selection: SelectionNode; readonly siblings: Map<string, Slot>; readonly depth: number }
  | { readonly leaving: string };

/**
 * Walks every operation with its fragments expanded, then every fragment no
 * operation reached (validation walks those too), merging fields by response
 * path as execution does.
 */
function findExpansionViolation(document: DocumentNode, limits: DocumentLimits): LimitViolation | null {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    // The last definition of a name wins, as in graphql-js; the others are walked as roots below.
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const walked = new Set<FragmentDefinitionNode>();
  const active = new Set<string>();
  const stack: Task[] = [];
  // Pushed last to first, so that they are walked, and an error located, in document order.
  const push = ({ selections }: SelectionSetNode, siblings: Map<string, Slot>, depth: number) => {
    for (let i = selections.length - 1; i >= 0; i--) stack.push({ selection: selections[i]!, siblings, depth });
  };
  const enter = (fragment: FragmentDefinitionNode, siblings: Map<string, Slot>, depth: number) => {
    walked.add(fragment);
    active.add(fragment.name.value);
    stack.push({ leaving: fragment.name.value });
    push(fragment.selectionSet, siblings, depth);
  };
  let selections = 0;

  const roots = [
    ...document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION),
    ...document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION),
  ];
  for (const root of roots) {
    if (root.kind === Kind.OPERATION_DEFINITION) push(root.selectionSet, new Map(), 0);
    else if (!walked.has(root)) enter(root, new Map(), 0);

    for (let task = stack.pop(); task; task = stack.pop()) {
      if ('leaving' in task) {
        active.delete(task.leaving);
        continue;
      }
      const { selection, siblings, depth } = task;
      // Counted before anything else, so that spreads of unknown or cyclic fragments pay too.
      if (++selections > limits.maxSelections) return violation('maxSelections', limits, selection);
      if (selection.kind === Kind.FIELD) {
        if (depth >= limits.maxDepth) return violation('maxDepth', limits, selection);
        const key = selection.alias?.value ?? selection.name.value;
        let slot = siblings.get(key);
        if (!slot) siblings.set(key, (slot = { count: 0, children: new Map() }));
        if (++slot.count > limits.maxFieldRepeats) {
          return violation('maxFieldRepeats', limits, selection, key);
        }
        if (selection.selectionSet) push(selection.selectionSet, slot.children, depth + 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        push(selection.selectionSet, siblings, depth);
      } else {
        const fragment = fragments.get(selection.name.value);
        // An unknown fragment or a cycle ends here; KnownFragmentNames and NoFragmentCycles report them.
        if (fragment && !active.has(fragment.name.value)) enter(fragment, siblings, depth);
      }
    }
  }
  return null;
}
