import { GraphQLBoolean } from 'graphql';
import { ArgsType, Field, Int, ObjectType } from 'type-graphql';
import { Public } from '../../auth/policies';
import { User } from './user.type';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

// Connection wrappers hold no data of their own; who may reach them is decided at the root field,
// and each User inside still applies its own field policies.
@Public()
@ObjectType({ description: 'Where a page of a connection ends.' })
export class PageInfo {
  @Field(() => GraphQLBoolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to read the next page.' })
  endCursor!: string | null;
}

@Public()
@ObjectType()
export class UserEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => User)
  node!: User;
}

@Public()
@ObjectType({ description: 'A page of users, oldest first.' })
export class UserConnection {
  @Field(() => [UserEdge])
  edges!: UserEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ArgsType()
export class UserPageArgs {
  @Field(() => Int, { nullable: true, defaultValue: DEFAULT_PAGE_SIZE, description: `1 to ${MAX_PAGE_SIZE}.` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: "A previous page's `endCursor`." })
  after?: string | null;
}
