import { Arg, Args, Ctx, ID, Query, Resolver } from 'type-graphql';
import { Public, RequireRole, SignedIn } from '../../auth/policies';
import { Role } from '../../auth/roles';
import type { Context } from '../../context';
import type { UserRecord } from './user.model';
import { USER_PAGE, UserConnection, UserPageArgs } from './user-connection.type';
import { Paged, pageSize, toConnection } from '../../graphql/connection';
import { decodeCursor } from '../../graphql/keyset-cursor';
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
  @Paged(USER_PAGE)
  @Query(() => UserConnection, { description: `Every user, oldest first, at most ${USER_PAGE.max} a page.` })
  async users(@Args(() => UserPageArgs) { first, after }: UserPageArgs): Promise<UserConnection> {
    const page = await this.service.list(pageSize(first, USER_PAGE), after ? decodeCursor(after) : null);
    return toConnection(page.users, page.hasNextPage, (user) => ({ time: user.createdAt.getTime(), id: user.id }));
  }
}
