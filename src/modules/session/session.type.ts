import { GraphQLBoolean } from 'graphql';
import { Field, ID, ObjectType } from 'type-graphql';
import { OwnerOr } from '../../auth/policies';
import { Role } from '../../auth/roles';

@OwnerOr({ owner: (session: Session) => session.userId }, Role.ADMIN)
@ObjectType({ description: 'A signed-in device or browser: one refresh-token chain.' })
export class Session {
  @Field(() => ID)
  id!: string;

  /** The owner (see @OwnerOr above); not a field of the schema. */
  userId!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { description: 'The last refresh.' })
  lastUsedAt!: Date;

  @Field(() => Date, { description: 'The absolute end of the session; it ends earlier after a week without use.' })
  expiresAt!: Date;

  @Field(() => String, { nullable: true })
  userAgent!: string | null;

  @Field(() => String, { nullable: true })
  ip!: string | null;

  @Field(() => GraphQLBoolean, { description: 'The session of the access token this request used.' })
  current!: boolean;
}
