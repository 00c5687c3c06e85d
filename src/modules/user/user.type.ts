import { GraphQLBoolean } from 'graphql';
import { Field, ID, ObjectType } from 'type-graphql';
import { OwnerOr, Public, RequireRole } from '../../auth/policies';
import { Role } from '../../auth/roles';
import type { UserRecord } from './user.model';

/** A user's own fields belong to that user. */
const OWNED_BY_ITSELF = { owner: (user: User) => user.id };

@ObjectType({ description: 'A person with an account.' })
export class User implements Omit<UserRecord, 'updatedAt' | 'rolesVersion' | 'credentialsVersion'> {
  @Public()
  @Field(() => ID)
  id!: string;

  @Public()
  @Field(() => String)
  displayName!: string;

  @Public()
  @Field(() => Date)
  createdAt!: Date;

  @OwnerOr(OWNED_BY_ITSELF, Role.ADMIN)
  @Field(() => String, { nullable: true })
  email!: string;

  @OwnerOr(OWNED_BY_ITSELF, Role.ADMIN)
  @Field(() => [Role], { nullable: true })
  roles!: readonly Role[];

  @OwnerOr(OWNED_BY_ITSELF, Role.ADMIN)
  @Field(() => Date, { nullable: true })
  lastLoginAt!: Date | null;

  @OwnerOr(OWNED_BY_ITSELF, Role.ADMIN)
  @Field(() => GraphQLBoolean, {
    nullable: true,
    description: 'Whether the current email address was proven by following a link sent to it.',
  })
  emailVerified!: boolean;

  @RequireRole(Role.ADMIN)
  @Field(() => GraphQLBoolean, { nullable: true, description: 'Disabled users cannot log in.' })
  disabled!: boolean;
}
