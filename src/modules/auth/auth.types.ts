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

  @Field(() => User, { description: 'The caller themself, readable in full on this response.' })
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

@ArgsType()
export class LoginArgs {
  @Field(() => String)
  email!: string;

  @Field(() => String)
  password!: string;
}
