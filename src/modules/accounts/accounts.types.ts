import { ArgsType, Field } from 'type-graphql';

@ArgsType()
export class EmailArgs {
  @Field(() => String)
  email!: string;
}

@ArgsType()
export class VerifyEmailArgs {
  @Field(() => String, { description: 'The token from the link (its `#token=` fragment).' })
  token!: string;
}

@ArgsType()
export class ChangeEmailArgs {
  @Field(() => String)
  newEmail!: string;

  @Field(() => String)
  currentPassword!: string;
}

@ArgsType()
export class ResetPasswordArgs {
  @Field(() => String, { description: 'The token from the link (its `#token=` fragment).' })
  token!: string;

  @Field(() => String, { description: '8 to 128 characters.' })
  newPassword!: string;
}
