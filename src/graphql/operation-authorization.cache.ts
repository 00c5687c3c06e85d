import type { DocumentNode } from 'graphql';
import type { Viewer } from '../auth/tokens';
import { conditionVariables, type OperationAuthorization, type ResponsePath } from './operation-authorization';

/**
 * The walk's answers, kept so that a client asking the same question again costs a map
 * lookup. An answer depends on the document, the operation in it, whether the viewer is
 * signed in and with which roles, and the values of the variables that decide a @skip or
 * @include: exactly the key. Never the viewer's id: owner-dependent fields are kept as
 * `dependsOnOwner`, not as allowed, so one viewer's answer is true for every viewer of
 * the same role set.
 *
 * Bounded three ways, since documents and variable values are the client's to choose: by
 * the number of answers, by the paths they hold together (a document may list up to a
 * thousand denied paths), and by the characters of the names in them (an alias or a
 * variable name may be thousands of characters long). The least recently used go first.
 * Keys hold Apollo's SHA-256 of the query, never its text, and the names kept are copies
 * (see `detached`), never slices that would keep the whole query text alive.
 */
export const OPERATION_AUTHORIZATION_CACHE_LIMITS = Object.freeze({
  /** Answers kept (each one document × role set × condition values). */
  maxEntries: 2000,
  /** Paths (denied, owner-dependent, step-up) held by all answers together: ~370 bytes each (measured), names apart. */
  maxPaths: 50_000,
  /**
   * Characters of the names held, counted per path segment (shared segments counted each
   * time), and separately of the documents' condition variable names: at most 2 bytes each.
   */
  maxNameCharacters: 1_000_000,
});

export type OperationAuthorizationCacheLimits = {
  readonly [K in keyof typeof OPERATION_AUTHORIZATION_CACHE_LIMITS]: number;
};

/** Identifies an operation within a document Apollo has hashed. */
export interface OperationKey {
  /** Apollo's `queryHash`: SHA-256 of the query text. */
  readonly queryHash: string;
  /** The operation's position among the document's definitions (its name would be as long as the client likes). */
  readonly operationIndex: number;
}

interface Entry {
  readonly answer: OperationAuthorization;
  readonly paths: number;
  readonly characters: number;
}

function charactersOf(paths: ReadonlyArray<{ readonly path: ResponsePath }>): number {
  let count = 0;
  for (const { path } of paths) for (const name of path) count += name.length;
  return count;
}

function namesLength(names: readonly string[]): number {
  return names.reduce((sum, name) => sum + name.length, 0);
}

/** Role sets are few (the subsets of three roles, or anonymous): a short, order-free key. */
export function viewerClass(viewer: Viewer | null): string {
  return viewer ? `roles:${[...new Set(viewer.roles)].sort().join(',')}` : 'anonymous';
}

function keyOfDocument(operation: OperationKey): string {
  return `${operation.queryHash}#${operation.operationIndex}`;
}

/** What an answer depends on, and nothing else: see the class comment. */
export function keyOfAnswer(
  operation: OperationKey,
  conditions: readonly string[],
  viewer: Viewer | null,
  variables: Readonly<Record<string, unknown>>,
): string {
  // A variable not given and one given as null are different requests: both stay apart.
  const values = conditions.map((name) => (Object.hasOwn(variables, name) ? [variables[name]] : []));
  return `${keyOfDocument(operation)} ${viewerClass(viewer)} ${JSON.stringify(values)}`;
}

export class OperationAuthorizationCache {
  // A Map iterates in insertion order: re-inserting on a hit makes the first key the least recently used.
  private readonly answers = new Map<string, Entry>();
  // The condition variables of a document, so that the key can be built without walking it again.
  private readonly conditions = new Map<string, readonly string[]>();
  private paths = 0;
  private characters = 0;
  private conditionCharacters = 0;

  constructor(private readonly limits: OperationAuthorizationCacheLimits = OPERATION_AUTHORIZATION_CACHE_LIMITS) {}

  /**
   * The variables that decide a @skip or @include in the document (kept per document, so
   * the next request finds them without a walk): the only ones an answer depends on.
   */
  conditionVariables(operation: OperationKey, document: DocumentNode): readonly string[] {
    const documentKey = keyOfDocument(operation);
    let names = this.conditions.get(documentKey);
    if (names) return names;
    names = conditionVariables(document);
    // Bounded like the answers; a document's names are at most its 50 directives, but each as long as the client likes.
    const characters = namesLength(names);
    if (characters > this.limits.maxNameCharacters) return names;
    this.conditions.set(documentKey, names);
    this.conditionCharacters += characters;
    while (this.conditions.size > this.limits.maxEntries || this.conditionCharacters > this.limits.maxNameCharacters) {
      const [oldest, dropped] = this.conditions.entries().next().value!;
      this.conditions.delete(oldest);
      this.conditionCharacters -= namesLength(dropped);
    }
    return names;
  }

  /** The cached answer for this request, or `walk()`'s, kept for the next one. */
  answer(
    operation: OperationKey,
    conditions: readonly string[],
    viewer: Viewer | null,
    variables: Readonly<Record<string, unknown>>,
    walk: () => OperationAuthorization,
  ): OperationAuthorization {
    const key = keyOfAnswer(operation, conditions, viewer, variables);
    const cached = this.answers.get(key);
    if (cached) {
      this.answers.delete(key);
      this.answers.set(key, cached);
      return cached.answer;
    }
    const answer = walk();
    this.keep(key, answer);
    return answer;
  }

  /** Answers kept now, the paths they hold and the characters of their names. */
  get size(): { readonly entries: number; readonly paths: number; readonly characters: number } {
    return { entries: this.answers.size, paths: this.paths, characters: this.characters };
  }

  private keep(key: string, answer: OperationAuthorization): void {
    const paths = answer.denied.length + answer.dependsOnOwner.length + answer.recentAuth.length;
    const characters =
      charactersOf(answer.denied) + charactersOf(answer.dependsOnOwner) + charactersOf(answer.recentAuth);
    // An answer bigger than the whole budget is answered, not kept.
    if (paths > this.limits.maxPaths || characters > this.limits.maxNameCharacters) return;
    this.answers.set(key, { answer, paths, characters });
    this.paths += paths;
    this.characters += characters;
    while (
      this.answers.size > this.limits.maxEntries ||
      this.paths > this.limits.maxPaths ||
      this.characters > this.limits.maxNameCharacters
    ) {
      const [oldest, entry] = this.answers.entries().next().value!;
      this.answers.delete(oldest);
      this.paths -= entry.paths;
      this.characters -= entry.characters;
    }
  }
}
