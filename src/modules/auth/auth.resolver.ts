import { Arg, Args, Mutation, Resolver } from 'type-graphql';
import { markAsCaller } from '../../auth/access';
import { Public } from '../../auth/policies';
import type { AuthResult, AuthService } from './auth.service';
import { AuthPayload, LoginArgs, SignUpInput } from './auth.types';

@Resolver()
export class AuthResolver {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Mutation(() => AuthPayload, { description: 'Creates a USER account and signs it in.' })
  async signUp(@Arg('input', () => SignUpInput) input: SignUpInput): Promise<AuthPayload> {
    return toPayload(await this.auth.signUp(input));
  }

  @Public()
  @Mutation(() => AuthPayload, { description: 'Every failure answers UNAUTHENTICATED / INVALID_CREDENTIALS.' })
  async login(@Args(() => LoginArgs) { email, password }: LoginArgs): Promise<AuthPayload> {
    return toPayload(await this.auth.login(email, password));
  }
}

function toPayload(result: AuthResult): AuthPayload {
  // The caller has just proven who they are, so the self rule holds for this user object.
  return {
    accessToken: result.accessToken,
    tokenType: 'Bearer',
    expiresIn: result.expiresIn,
    user: markAsCaller({ ...result.user }),
  };
}
