import { GraphQLBoolean } from 'graphql';
import { Args, ArgsType, Ctx, Field, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { RequireRole } from '../../auth/policies';
import { Role } from '../../auth/roles';
import { RecentAuth } from '../../auth/step-up';
import type { Context } from '../../context';
import { Paged, pageSize, toConnection } from '../../graphql/connection';
import { decodeCursor } from '../../graphql/keyset-cursor';
import { AuditEventConnection } from '../audit/audit.type';
import type { AuditRepository } from '../audit/audit.repository';
import { signedIn } from '../../graphql/signed-in';
import type { UserRecord } from '../user/user.model';
import { User } from '../user/user.type';
import type { AccountAdminService } from './account-admin.service';

export const AUDIT_PAGE = { default: 50, max: 200 } as const;

@ArgsType()
class AuditEventsArgs {
  @Field(() => Int, { nullable: true, defaultValue: AUDIT_PAGE.default, description: `1 to ${AUDIT_PAGE.max}.` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: "A previous page's `endCursor`." })
  after?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only events about this user.' })
  userId?: string | null;
}

@ArgsType()
class SetUserRolesArgs {
  @Field(() => ID)
  userId!: string;

  @Field(() => [Role], { description: 'The complete new list; at least one.' })
  roles!: Role[];
}

@ArgsType()
class SetUserDisabledArgs {
  @Field(() => ID)
  userId!: string;

  @Field(() => GraphQLBoolean)
  disabled!: boolean;
}

@Resolver()
export class AdminResolver {
  constructor(
    private readonly accounts: AccountAdminService,
    private readonly audit: AuditRepository,
  ) {}

  @RequireRole(Role.ADMIN)
  @RecentAuth({ maxAge: '10m', factors: 2 })
  @Mutation(() => User, {
    description:
      "Replaces a user's roles. Their access tokens issued before become stale (TOKEN_STALE); a refresh brings the new roles.",
  })
  setUserRoles(
    @Args(() => SetUserRolesArgs) { userId, roles }: SetUserRolesArgs,
    @Ctx() { viewer, client }: Context,
  ): Promise<UserRecord> {
    return this.accounts.setRoles(signedIn(viewer), userId, roles, client);
  }

  @RequireRole(Role.ADMIN)
  @RecentAuth({ maxAge: '10m', factors: 2 })
  @Mutation(() => User, {
    description: 'Disabling ends every session of the user at once; they cannot log in until enabled.',
  })
  setUserDisabled(
    @Args(() => SetUserDisabledArgs) { userId, disabled }: SetUserDisabledArgs,
    @Ctx() { viewer, client }: Context,
  ): Promise<UserRecord> {
    return this.accounts.setDisabled(signedIn(viewer), userId, disabled, client);
  }

  @RequireRole(Role.ADMIN)
  @Paged(AUDIT_PAGE)
  @Query(() => AuditEventConnection, { description: 'Security events, newest first.' })
  async auditEvents(
    @Args(() => AuditEventsArgs) { first, after, userId }: AuditEventsArgs,
  ): Promise<AuditEventConnection> {
    const page = await this.audit.list(pageSize(first, AUDIT_PAGE), after ? decodeCursor(after) : null, userId ?? null);
    return toConnection(page.events, page.hasNextPage, (event) => ({ time: event.at.getTime(), id: event.id }));
  }
}
