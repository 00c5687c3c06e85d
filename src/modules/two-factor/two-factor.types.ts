import { ArgsType, Field, ID, Int, ObjectType } from 'type-graphql';
import { SignedIn } from '../../auth/policies';
import { MaxItems } from '../../graphql/connection';
import { RECOVERY_CODE_COUNT } from './recovery-codes';

@SignedIn()
@ObjectType({ description: 'A TOTP authenticator waiting for its first code (confirmTotpEnrollment).' })
export class TotpEnrollment {
  @Field(() => String, { description: 'The shared secret in base32, for typing into an app by hand. Shown once.' })
  secret!: string;

  @Field(() => String, { description: 'The `otpauth://totp/…` URI the QR code holds.' })
  otpauthUri!: string;

  @Field(() => String, { description: 'The URI as a QR code: an SVG document.' })
  qrCodeSvg!: string;

  @Field(() => Int, { description: 'Seconds left to confirm it with a code; then start again.' })
  expiresIn!: number;
}

@SignedIn()
@ObjectType({ description: 'Single-use codes that stand in for the authenticator app. Shown once: store them safely.' })
export class RecoveryCodes {
  @MaxItems(RECOVERY_CODE_COUNT)
  @Field(() => [String], { description: `${RECOVERY_CODE_COUNT} codes of the form XXXXX-XXXXX.` })
  codes!: string[];
}

@SignedIn()
@ObjectType({ description: "The state of a user's second factor." })
export class TwoFactorStatus {
  @Field(() => Boolean, { description: 'Whether login asks for a code from an authenticator app.' })
  enabled!: boolean;

  @Field(() => Int, { description: 'Recovery codes not used yet (0 when two-factor is off).' })
  recoveryCodesLeft!: number;
}

@SignedIn()
@ObjectType({ description: 'A fresh access token for the same session, stating the new authentication.' })
export class ReauthenticatePayload {
  @Field(() => String, { description: 'Send as `Authorization: Bearer <accessToken>`.' })
  accessToken!: string;

  @Field(() => String, { description: 'Always "Bearer".' })
  tokenType!: string;

  @Field(() => Int, { description: 'Seconds until the access token expires.' })
  expiresIn!: number;
}

@ArgsType()
export class VerifyMfaArgs {
  @Field(() => String, { description: "The challenge from login's MFA_REQUIRED answer (`extensions.mfa.challenge`)." })
  challenge!: string;

  @Field(() => String, { nullable: true, description: 'The 6-digit code the authenticator app shows.' })
  code?: string | null;

  @Field(() => String, { nullable: true, description: 'Instead of `code`: one of the recovery codes (single-use).' })
  recoveryCode?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: 'Browsers: set the refresh token as a __Host- HttpOnly cookie instead of returning it.',
  })
  useCookie?: boolean | null;
}

@ArgsType()
export class ReauthenticateArgs {
  @Field(() => String)
  password!: string;

  @Field(() => String, { nullable: true, description: 'Required when two-factor is on (or `recoveryCode`).' })
  code?: string | null;

  @Field(() => String, { nullable: true })
  recoveryCode?: string | null;
}

@ArgsType()
export class StartTotpEnrollmentArgs {
  @Field(() => String, {
    description:
      "The account's current password: a stolen access token alone must not enrol its holder's authenticator.",
  })
  currentPassword!: string;
}

/** The password and a second factor, proven in the call itself (regenerateRecoveryCodes, disableTotp). */
@ArgsType()
export class SecondFactorChangeArgs {
  @Field(() => String, { description: "The account's current password." })
  currentPassword!: string;

  @Field(() => String, {
    nullable: true,
    description: 'A current code from the authenticator app (or `recoveryCode`).',
  })
  code?: string | null;

  @Field(() => String, { nullable: true, description: 'Instead of `code`: one of the recovery codes (single-use).' })
  recoveryCode?: string | null;
}

@ArgsType()
export class ConfirmTotpEnrollmentArgs {
  @Field(() => String, { description: 'The 6-digit code the authenticator app now shows.' })
  code!: string;
}

@ArgsType()
export class ResetUserTwoFactorArgs {
  @Field(() => ID)
  userId!: string;
}
