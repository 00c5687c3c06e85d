import { GraphQLBoolean } from 'graphql';
import { Args, Ctx, Mutation, Resolver } from 'type-graphql';
import { Public, SignedIn } from '../../auth/policies';
import { RecentAuth } from '../../auth/step-up';
import type { Context } from '../../context';
import { signedIn } from '../../graphql/signed-in';
import { ChangeEmailArgs, EmailArgs, ResetPasswordArgs, VerifyEmailArgs } from './accounts.types';
import type { EmailVerificationService } from './email-verification.service';
import type { PasswordResetService } from './password-reset.service';

@Resolver()
export class AccountsResolver {
  constructor(
    private readonly verification: EmailVerificationService,
    private readonly reset: PasswordResetService,
  ) {}

  @Public()
  @Mutation(() => GraphQLBoolean, {
    description:
      'Follows a verification link: verifies the address, or completes an email change. Invalid, expired and used links all answer BAD_USER_INPUT / EMAIL_TOKEN_INVALID.',
  })
  async verifyEmail(@Args(() => VerifyEmailArgs) { token }: VerifyEmailArgs, @Ctx() ctx: Context): Promise<boolean> {
    await this.verification.verify(token, ctx.client);
    return true;
  }

  @Public()
  @Mutation(() => GraphQLBoolean, {
    description:
      'Mails a new verification link if the address belongs to an unverified account. Always answers true: it says nothing about which accounts exist.',
  })
  async resendVerification(@Args(() => EmailArgs) { email }: EmailArgs, @Ctx() ctx: Context): Promise<boolean> {
    await this.verification.resend(email, ctx.client);
    return true;
  }

  @SignedIn()
  @RecentAuth({ maxAge: '10m', factors: 2 })
  @Mutation(() => GraphQLBoolean, {
    description:
      'Checks the current password and mails a confirmation link to the new address; nothing changes until it is followed. The current address is told.',
  })
  async changeEmail(
    @Args(() => ChangeEmailArgs) { newEmail, currentPassword }: ChangeEmailArgs,
    @Ctx() { viewer, client }: Context,
  ): Promise<boolean> {
    await this.verification.changeEmail(signedIn(viewer), newEmail, currentPassword, client);
    return true;
  }

  @Public()
  @Mutation(() => GraphQLBoolean, {
    description:
      'Mails a password reset link (valid 30 minutes) if the address belongs to an account. Always answers true, in the same time either way.',
  })
  async requestPasswordReset(@Args(() => EmailArgs) { email }: EmailArgs, @Ctx() ctx: Context): Promise<boolean> {
    await this.reset.request(email, ctx.client);
    return true;
  }

  @Public()
  @Mutation(() => GraphQLBoolean, {
    description:
      'Sets a new password with the token of a reset link and ends every session of the account; log in afterwards.',
  })
  async resetPassword(
    @Args(() => ResetPasswordArgs) { token, newPassword }: ResetPasswordArgs,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await this.reset.reset(token, newPassword, ctx.client);
    return true;
  }
}
