import { ArgsType, Field, InputType, Int, ObjectType } from 'type-graphql';
import { Public } from '../../auth/policies';
import { User } from '../user/user.type';

@Public()
@ObjectType({ description: 'What a successful sign-up or login returns.' })
export class AuthPayload {
  @Field(() => String, { description: 'Send as `Authorization: Bearer <accessToken>`.' })
  accessToken!: string;

  @Field(() => String, { description: 'Always "Bearer".' })
  tokenType!: string;

  @Field(() => Int, { description: 'Seconds until the access token expires.' })
  expiresIn!: number;

  @Field(() => String, {
    nullable: true,
    description:
      'Single-use: exchange it with `refresh` for a new pair. Null in cookie mode, where it is an HttpOnly cookie.',
  })
  refreshToken!: string | null;

  @Field(() => Int, { nullable: true, description: 'Seconds until the refresh token can no longer be used.' })
  refreshExpiresIn!: number | null;

  @Field(() => User, {
    description:
      'The caller themself: their own fields (email, roles…) are readable on this response, before any token is sent.',
  })
  user!: User;
}

@InputType()
export class SignUpInput {
  @Field(() => String)
  email!: string;

  @Field(() => String, { description: '8 to 128 characters.' })
  password!: string;

  @Field(() => String, { description: '1 to 64 characters.' })
  displayName!: string;
}

const USE_COOKIE = {
  nullable: true,
  defaultValue: false,
  description: 'Browsers: set the refresh token as a __Host- HttpOnly cookie instead of returning it.',
} as const;

@ArgsType()
export class SignUpArgs {
  @Field(() => SignUpInput)
  input!: SignUpInput;

  @Field(() => Boolean, USE_COOKIE)
  useCookie?: boolean | null;
}

@ArgsType()
export class LoginArgs {
  @Field(() => String)
  email!: string;

  @Field(() => String)
  password!: string;

  @Field(() => Boolean, USE_COOKIE)
  useCookie?: boolean | null;
}

@ArgsType()
export class RefreshArgs {
  @Field(() => String, { nullable: true, description: 'Omit to use the refresh cookie.' })
  refreshToken?: string | null;

  @Field(() => Boolean, {
    ...USE_COOKIE,
    description: 'Answer in cookie mode; implied when the token came from the cookie.',
  })
  useCookie?: boolean | null;
}

@ArgsType()
export class ChangePasswordArgs {
  @Field(() => String)
  currentPassword!: string;

  @Field(() => String, { description: '8 to 128 characters.' })
  newPassword!: string;
}
