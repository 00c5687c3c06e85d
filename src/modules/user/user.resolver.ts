import { Arg, Args, Ctx, ID, Query, Resolver } from 'type-graphql';
import { Public, RequireRole, SignedIn } from '../../auth/policies';
import { Role } from '../../auth/roles';
import type { Context } from '../../context';
import { InvalidInputError } from '../../errors';
import type { UserRecord } from './user.model';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, UserConnection, UserPageArgs } from './user-connection.type';
import { decodeUserCursor, encodeUserCursor } from './user-cursor';
import type { UserService } from './user.service';
import { User } from './user.type';

const MAX_ID_LENGTH = 64;

@Resolver(() => User)
export class UserResolver {
  constructor(private readonly service: UserService) {}

  @Public()
  @Query(() => User, { nullable: true, description: 'The signed-in user; null for an anonymous request.' })
  async me(@Ctx() { viewer }: Context): Promise<UserRecord | null> {
    return viewer ? this.service.findById(viewer.id) : null;
  }

  @SignedIn()
  @Query(() => User, { nullable: true, description: 'A user by id; null when there is none.' })
  async user(@Arg('id', () => ID) id: string): Promise<UserRecord | null> {
    return id.length <= MAX_ID_LENGTH ? this.service.findById(id) : null;
  }

  @RequireRole(Role.ADMIN)
  @Query(() => UserConnection, { description: `Every user, oldest first, at most ${MAX_PAGE_SIZE} a page.` })
  async users(@Args(() => UserPageArgs) { first: requested, after }: UserPageArgs): Promise<UserConnection> {
    const first = requested ?? DEFAULT_PAGE_SIZE;
    if (first < 1 || first > MAX_PAGE_SIZE) {
      throw new InvalidInputError('first', `first must be between 1 and ${MAX_PAGE_SIZE}.`);
    }
    const page = await this.service.list(first, after ? decodeUserCursor(after) : null);
    const edges = page.users.map((node) => ({ cursor: encodeUserCursor(node), node }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }
}
