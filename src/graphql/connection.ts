import { GraphQLBoolean } from 'graphql';
import { Extensions, Field, ObjectType, type ClassType } from 'type-graphql';
import { Public } from '../auth/policies';
import { InvalidInputError } from '../errors/domain-errors';
import type { KeysetPosition } from '../db/keyset';
import { encodeCursor } from './keyset-cursor';

// Connection wrappers hold no data of their own: who may reach them is decided at the root
// field, and each node inside still applies its own field policies.
@Public()
@ObjectType({ description: 'Where a page of a connection ends.' })
export class PageInfo {
  @Field(() => GraphQLBoolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to read the next page.' })
  endCursor!: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface ConnectionShape<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
}

/** The Relay-style `<Name>Edge` type and an abstract connection class to extend as `<Name>Connection`. */
export function Connection<T extends object>(node: ClassType<T>, name: string) {
  @Public()
  @ObjectType(`${name}Edge`)
  class EdgeType implements Edge<T> {
    @Field(() => String)
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  @ObjectType()
  abstract class ConnectionType implements ConnectionShape<T> {
    @Field(() => [EdgeType])
    edges!: EdgeType[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;
  }
  return ConnectionType;
}

/** A paged field's page sizes: what a missing `first` means, and the most it may ask for. */
export interface PageBounds {
  readonly default: number;
  readonly max: number;
}

export const PAGE_BOUNDS_EXTENSION = 'tollgatePageBounds';

/**
 * Declares a paged field's bounds where the field is declared, so that the query cost
 * rule prices its `first` (a variable costs `max`); the resolver checks them with pageSize().
 */
export function Paged(bounds: PageBounds): ReturnType<typeof Extensions> {
  return Extensions({ [PAGE_BOUNDS_EXTENSION]: bounds });
}

export const LIST_LENGTH_EXTENSION = 'tollgateMaxItems';

/**
 * Declares the most items an unpaged list field returns, so the query cost rule prices its
 * contents that many times (an undeclared list counts once per enclosing item).
 */
export function MaxItems(max: number): ReturnType<typeof Extensions> {
  return Extensions({ [LIST_LENGTH_EXTENSION]: max });
}

/** Checks a requested page size against its bounds; a null or missing `first` means the default. */
export function pageSize(first: number | null | undefined, bounds: PageBounds): number {
  const size = first ?? bounds.default;
  if (size < 1 || size > bounds.max) throw new InvalidInputError('first', `first must be between 1 and ${bounds.max}.`);
  return size;
}

/** One page of nodes as a connection, each cursor naming the node's (time, id) position. */
export function toConnection<T>(
  nodes: readonly T[],
  hasNextPage: boolean,
  positionOf: (node: T) => KeysetPosition,
): ConnectionShape<T> {
  const edges = nodes.map((node) => ({ cursor: encodeCursor(positionOf(node)), node }));
  return { edges, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
}
