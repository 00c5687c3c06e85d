import { GraphQLBoolean } from 'graphql';
import { Args, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { OwnerOr, Public, RequireRole, SignedIn } from '../../auth/policies';
import { Role } from '../../auth/roles';
import { RecentAuth } from '../../auth/step-up';
import type { Context } from '../../context';
import { signedIn } from '../../graphql/signed-in';
import { AuthPayload } from '../credentials/credentials.types';
import { toPayload } from '../credentials/credentials.resolver';
import type { UserRecord } from '../user/user.model';
import { User } from '../user/user.type';
import { TwoFactorStatuses } from './two-factor-statuses';
import type { TwoFactorService } from './two-factor.service';
import {
  ConfirmTotpEnrollmentArgs,
  ReauthenticateArgs,
  ReauthenticatePayload,
  RecoveryCodes,
  ResetUserTwoFactorArgs,
  SecondFactorChangeArgs,
  StartTotpEnrollmentArgs,
  TotpEnrollment,
  TwoFactorStatus,
  VerifyMfaArgs,
} from './two-factor.types';

/**
 * The step-up an ADMIN's reset asks for. The caller's own changes to their second factor
 * carry no `@recentAuth`: each proves the password (and, once two-factor is on, a current
 * code) in the call itself, which a token's age cannot: a stolen access token is as fresh
 * as the login it came from.
 */
const SENSITIVE = { maxAge: '10m', factors: 2 } as const;

// OwnerOr is typed for the class it guards; on a field resolver the target is the resolver.
const SELF_OR_ADMIN = OwnerOr({ owner: (user: User) => user.id }, Role.ADMIN) as unknown as MethodDecorator;

@Resolver(() => User)
export class TwoFactorResolver {
  private readonly statuses: TwoFactorStatuses;

  constructor(private readonly service: TwoFactorService) {
    this.statuses = new TwoFactorStatuses(service);
  }

  @SELF_OR_ADMIN
  @FieldResolver(() => TwoFactorStatus, { nullable: true, description: 'Second factor and recovery codes left.' })
  twoFactor(@Root() user: UserRecord, @Ctx() context: Context): Promise<TwoFactorStatus> {
    return this.statuses.load(context, user.id);
  }

  @Public()
  @Mutation(() => AuthPayload, {
    description:
      'Completes a login that answered MFA_REQUIRED: the challenge and a current code (or a recovery code). Wrong codes: UNAUTHENTICATED / INVALID_MFA_CODE; a dead challenge: MFA_CHALLENGE_INVALID (log in again).',
  })
  async verifyMfa(
    @Args(() => VerifyMfaArgs) { challenge, code, recoveryCode, useCookie }: VerifyMfaArgs,
    @Ctx() ctx: Context,
  ): Promise<AuthPayload> {
    const issued = await this.service.verifyMfa(challenge, { code, recoveryCode }, ctx.client);
    return toPayload(issued, useCookie === true, ctx);
  }

  @SignedIn()
  @Mutation(() => ReauthenticatePayload, {
    description:
      'Step-up: proves the password again (and a code when two-factor is on) and returns a fresh access token for the same session; answer a STEP_UP_REQUIRED with it.',
  })
  async reauthenticate(
    @Args(() => ReauthenticateArgs) { password, code, recoveryCode }: ReauthenticateArgs,
    @Ctx() { viewer, client }: Context,
  ): Promise<ReauthenticatePayload> {
    const issued = await this.service.reauthenticate(signedIn(viewer), password, { code, recoveryCode }, client);
    return { accessToken: issued.token, tokenType: 'Bearer', expiresIn: issued.expiresIn };
  }

  @SignedIn()
  @Mutation(() => TotpEnrollment, {
    description:
      'Starts TOTP two-factor with the current password: a new secret and its QR code, to confirm within 10 minutes. A wrong password: BAD_USER_INPUT (field password), throttled like reauthenticate.',
  })
  startTotpEnrollment(
    @Args(() => StartTotpEnrollmentArgs) { currentPassword }: StartTotpEnrollmentArgs,
    @Ctx() { viewer, client }: Context,
  ): Promise<TotpEnrollment> {
    return this.service
      .startEnrollment(signedIn(viewer), currentPassword, client)
      .then(({ expiresInSeconds, ...enrollment }) => ({ ...enrollment, expiresIn: expiresInSeconds }));
  }

  // No step-up: only the holder of the secret that startTotpEnrollment (password proven) showed can confirm.
  @SignedIn()
  @Mutation(() => RecoveryCodes, {
    description:
      'Turns TOTP two-factor on with a code from the app; returns the recovery codes (shown once). Every other session ends; the owner is told by mail.',
  })
  async confirmTotpEnrollment(
    @Args(() => ConfirmTotpEnrollmentArgs) { code }: ConfirmTotpEnrollmentArgs,
    @Ctx() { viewer, client }: Context,
  ): Promise<RecoveryCodes> {
    return { codes: await this.service.confirmEnrollment(signedIn(viewer), code, client) };
  }

  @SignedIn()
  @Mutation(() => RecoveryCodes, {
    description:
      'New recovery codes (shown once), with the current password and a current code (or a recovery code); the old ones stop working and the owner is told by mail.',
  })
  async regenerateRecoveryCodes(
    @Args(() => SecondFactorChangeArgs) { currentPassword, code, recoveryCode }: SecondFactorChangeArgs,
    @Ctx() { viewer, client }: Context,
  ): Promise<RecoveryCodes> {
    return {
      codes: await this.service.regenerateRecoveryCodes(
        signedIn(viewer),
        currentPassword,
        { code, recoveryCode },
        client,
      ),
    };
  }

  @SignedIn()
  @Mutation(() => GraphQLBoolean, {
    description:
      'Turns two-factor off with the current password and a current code (or a recovery code), and deletes the recovery codes; the owner is told by mail. False when it was not on.',
  })
  disableTotp(
    @Args(() => SecondFactorChangeArgs) { currentPassword, code, recoveryCode }: SecondFactorChangeArgs,
    @Ctx() { viewer, client }: Context,
  ): Promise<boolean> {
    return this.service.disable(signedIn(viewer), currentPassword, { code, recoveryCode }, client);
  }

  @RequireRole(Role.ADMIN)
  @RecentAuth(SENSITIVE)
  @Mutation(() => GraphQLBoolean, {
    description:
      "Removes a user's second factor (a lost device) and ends every session of theirs; audited. False when they had none.",
  })
  resetUserTwoFactor(
    @Args(() => ResetUserTwoFactorArgs) { userId }: ResetUserTwoFactorArgs,
    @Ctx() { viewer, client }: Context,
  ): Promise<boolean> {
    return this.service.reset(signedIn(viewer), userId, client);
  }
}
