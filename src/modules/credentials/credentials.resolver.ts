import { GraphQLBoolean } from 'graphql';
import { Args, Ctx, Mutation, Resolver } from 'type-graphql';
import { issuedToCaller } from '../../auth/access';
import { Public, SignedIn } from '../../auth/policies';
import { RecentAuth } from '../../auth/step-up';
import type { Context } from '../../context';
import { RefreshError } from '../../errors/domain-errors';
import { signedIn } from '../../graphql/signed-in';
import type { IssuedSession } from '../session/session.service';
import type { CredentialsService } from './credentials.service';
import { AuthPayload, ChangePasswordArgs, LoginArgs, RefreshArgs, SignUpArgs } from './credentials.types';

@Resolver()
export class CredentialsResolver {
  constructor(private readonly auth: CredentialsService) {}

  @Public()
  @Mutation(() => AuthPayload, { description: 'Creates a USER account and signs it in.' })
  async signUp(@Args(() => SignUpArgs) { input, useCookie }: SignUpArgs, @Ctx() ctx: Context): Promise<AuthPayload> {
    return toPayload(await this.auth.signUp(input, ctx.client), useCookie === true, ctx);
  }

  @Public()
  @Mutation(() => AuthPayload, { description: 'Every failure answers UNAUTHENTICATED / INVALID_CREDENTIALS.' })
  async login(
    @Args(() => LoginArgs) { email, password, useCookie }: LoginArgs,
    @Ctx() ctx: Context,
  ): Promise<AuthPayload> {
    return toPayload(await this.auth.login(email, password, ctx.client), useCookie === true, ctx);
  }

  @Public()
  @Mutation(() => AuthPayload, {
    description:
      'Exchanges a refresh token (the argument, else the cookie) for a new pair with fresh roles. Send it without an Authorization header: the access token may have expired.',
  })
  async refresh(
    @Args(() => RefreshArgs) { refreshToken, useCookie }: RefreshArgs,
    @Ctx() ctx: Context,
  ): Promise<AuthPayload> {
    const fromCookie = !refreshToken;
    const presented = refreshToken || ctx.refreshCookie.presented;
    if (!presented) throw new RefreshError('REFRESH_TOKEN_INVALID');
    try {
      return toPayload(await this.auth.refresh(presented, ctx.client), fromCookie || useCookie === true, ctx);
    } catch (error) {
      // A dead cookie would be sent again and again; drop it.
      if (fromCookie && error instanceof RefreshError) ctx.refreshCookie.clear();
      throw error;
    }
  }

  @SignedIn()
  @RecentAuth({ maxAge: '10m', factors: 2 })
  @Mutation(() => GraphQLBoolean, {
    description: 'Checks the current password, sets the new one, and ends every other session.',
  })
  async changePassword(
    @Args(() => ChangePasswordArgs) { currentPassword, newPassword }: ChangePasswordArgs,
    @Ctx() { viewer, client }: Context,
  ): Promise<boolean> {
    await this.auth.changePassword(signedIn(viewer), currentPassword, newPassword, client);
    return true;
  }
}

/** A session as the login-like mutations answer it (verifyMfa too); in cookie mode the refresh token is a cookie. */
export function toPayload(issued: IssuedSession, cookieMode: boolean, ctx: Context): AuthPayload {
  if (cookieMode) ctx.refreshCookie.set(issued.refreshToken, issued.refreshExpiresInSeconds);
  return {
    accessToken: issued.accessToken,
    tokenType: 'Bearer',
    expiresIn: issued.expiresInSeconds,
    refreshToken: cookieMode ? null : issued.refreshToken,
    refreshExpiresIn: issued.refreshExpiresInSeconds,
    // The caller has just proven who they are: they own this user object, token or not.
    user: issuedToCaller(issued.user),
  };
}
