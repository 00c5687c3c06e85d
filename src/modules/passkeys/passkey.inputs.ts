import { ArgsType, Field, ID } from 'type-graphql';

const RESPONSE = {
  description:
    "The browser's answer as a JSON string: `PublicKeyCredential.toJSON()`, or what @simplewebauthn/browser returns.",
} as const;

@ArgsType()
export class StartPasskeyRegistrationArgs {
  @Field(() => String, { description: "The account's current password." })
  currentPassword!: string;

  @Field(() => String, { nullable: true, description: 'Required when two-factor is on (or `recoveryCode`).' })
  code?: string | null;

  @Field(() => String, { nullable: true, description: 'Instead of `code`: one of the recovery codes (single-use).' })
  recoveryCode?: string | null;
}

@ArgsType()
export class FinishPasskeyRegistrationArgs {
  @Field(() => String, RESPONSE)
  response!: string;

  @Field(() => String, {
    nullable: true,
    description: 'A label for the list (1 to 60 characters); a default otherwise.',
  })
  name?: string | null;
}

@ArgsType()
export class FinishPasskeyLoginArgs {
  @Field(() => String, RESPONSE)
  response!: string;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: 'Browsers: set the refresh token as a __Host- HttpOnly cookie instead of returning it.',
  })
  useCookie?: boolean | null;
}

@ArgsType()
export class FinishPasskeyReauthenticationArgs {
  @Field(() => String, RESPONSE)
  response!: string;
}

@ArgsType()
export class RenamePasskeyArgs {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: '1 to 60 characters.' })
  name!: string;
}

@ArgsType()
export class RemovePasskeyArgs {
  @Field(() => ID)
  id!: string;
}
