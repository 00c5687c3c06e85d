import { ArgsType, Field, Int, ObjectType } from 'type-graphql';
import { Public } from '../../auth/policies';
import { Connection } from '../../graphql/connection';
import { User } from './user.type';

export const USER_PAGE = { default: 20, max: 100 } as const;

@Public()
@ObjectType({ description: 'A page of users, oldest first.' })
export class UserConnection extends Connection(User, 'User') {}

@ArgsType()
export class UserPageArgs {
  @Field(() => Int, { nullable: true, defaultValue: USER_PAGE.default, description: `1 to ${USER_PAGE.max}.` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: "A previous page's `endCursor`." })
  after?: string | null;
}
