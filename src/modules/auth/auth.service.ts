import type { AccessTokens } from '../../auth/tokens';
import type { UserRecord } from '../user/user.model';
import type { NewAccount, UserService } from '../user/user.service';

export interface AuthResult {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly user: UserRecord;
}

/** Turns a proven identity into tokens. */
export class AuthService {
  constructor(
    private readonly users: UserService,
    private readonly tokens: AccessTokens,
  ) {}

  async signUp(account: NewAccount): Promise<AuthResult> {
    return this.issue(await this.users.register(account));
  }

  async login(email: string, password: string): Promise<AuthResult> {
    return this.issue(await this.users.authenticate(email, password));
  }

  private issue(user: UserRecord): AuthResult {
    const { token, expiresIn } = this.tokens.issue(user);
    return { accessToken: token, expiresIn, user };
  }
}
