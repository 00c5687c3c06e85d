import { GraphQLBoolean } from 'graphql';
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { SignedIn } from '../../auth/policies';
import { Role, satisfiesRole } from '../../auth/roles';
import type { Context } from '../../context';
import { MaxItems } from '../../graphql/connection';
import { signedIn } from '../../graphql/signed-in';
import { MAX_LISTED_SESSIONS } from './session.repository';
import type { SessionService } from './session.service';
import { Session } from './session.type';

@Resolver(() => Session)
export class SessionResolver {
  constructor(private readonly sessions: SessionService) {}

  @SignedIn()
  @MaxItems(MAX_LISTED_SESSIONS)
  @Query(() => [Session], {
    description: "The caller's open sessions, most recently used first (at most 100; logoutAll ends them all).",
  })
  async mySessions(@Ctx() { viewer }: Context): Promise<Session[]> {
    const { id, sessionId } = signedIn(viewer);
    const open = await this.sessions.listOpen(id);
    return open.map((session) => ({
      id: session.id,
      userId: session.userId,
      createdAt: session.createdAt,
      lastUsedAt: session.lastUsedAt,
      expiresAt: session.expiresAt,
      userAgent: session.userAgent,
      ip: session.ip,
      current: session.id === sessionId,
    }));
  }

  @SignedIn()
  @Mutation(() => GraphQLBoolean, {
    description:
      "Ends the current session: its access token is refused from the next request on, and the browser's refresh cookie is cleared.",
  })
  async logout(@Ctx() { viewer, client, refreshCookie }: Context): Promise<boolean> {
    await this.sessions.logout(signedIn(viewer), client);
    refreshCookie.clear();
    return true;
  }

  @SignedIn()
  @Mutation(() => Int, { description: "Ends the caller's sessions and returns how many were open." })
  async logoutAll(
    @Arg('keepCurrent', () => GraphQLBoolean, { nullable: true, defaultValue: false }) keepCurrent: boolean | null,
    @Ctx() { viewer, client, refreshCookie }: Context,
  ): Promise<number> {
    const ended = await this.sessions.logoutAll(signedIn(viewer), keepCurrent === true, client);
    if (keepCurrent !== true) refreshCookie.clear();
    return ended;
  }

  @SignedIn()
  @Mutation(() => GraphQLBoolean, {
    description: "Ends one of the caller's sessions (an ADMIN's: anyone's). False when there is no such open session.",
  })
  async revokeSession(@Arg('id', () => ID) id: string, @Ctx() { viewer, client }: Context): Promise<boolean> {
    const caller = signedIn(viewer);
    return this.sessions.revoke(caller, id, satisfiesRole(caller.roles, Role.ADMIN), client);
  }
}
