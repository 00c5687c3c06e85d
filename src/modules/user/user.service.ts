import { randomUUID } from 'node:crypto';
import { PASSWORD_MAX_LENGTH, normalizePassword, type PasswordHasher } from '../../auth/passwords';
import { Role } from '../../auth/roles';
import { EmailNotVerifiedError, InvalidCredentialsError, InvalidInputError } from '../../errors/domain-errors';
import type { UserCursor, UserPage, UserRecord } from './user.model';
import type { UserRepository } from './user.repository';
import { EMAIL_MAX_LENGTH, canonicalEmail, validDisplayName, validEmail } from './user.rules';

export interface NewAccount {
  readonly email: string;
  readonly password: string;
  readonly displayName: string;
}

export interface UserServiceDeps {
  readonly users: UserRepository;
  readonly passwords: PasswordHasher;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

/** Accounts and credentials: the rules, independent of how they are called. */
export class UserService {
  constructor(private readonly deps: UserServiceDeps) {}

  /** Applies the account rules (throws InvalidInputError naming the field); no I/O. */
  checkNewAccount(account: NewAccount): NewAccount {
    return {
      email: validEmail(account.email),
      displayName: validDisplayName(account.displayName),
      password: normalizePassword(account.password),
    };
  }

  /** Creates an account. Every rule is checked before any hashing or writing. */
  async register(account: NewAccount, roles: readonly Role[] = [Role.USER]): Promise<UserRecord> {
    const { email, displayName, password } = this.checkNewAccount(account);
    // A new account waits behind logins of existing ones: an anonymous flood of sign-ups must not starve them.
    const passwordHash = await this.deps.passwords.hash(password, 'low');
    const now = this.deps.now();
    const id = randomUUID();
    const inserted = await this.deps.users.insert({ id, email, passwordHash, displayName, roles, now });
    // Says no more than needed: not whether the address belongs to someone.
    if (!inserted) throw new InvalidInputError('email', 'This email address cannot be used.');
    const at = new Date(now);
    return {
      id,
      email,
      displayName,
      roles: [...roles],
      disabled: false,
      createdAt: at,
      updatedAt: at,
      lastLoginAt: null,
      emailVerified: false,
      rolesVersion: 1,
      credentialsVersion: 1,
    };
  }

  /**
   * Proves an email and password. Unknown email, wrong password and disabled
   * account all cost one argon2 verify and end in the same InvalidCredentialsError,
   * so neither the answer nor its timing says which accounts exist. With
   * `requireVerifiedEmail`, the right password for an unverified address ends in
   * EmailNotVerifiedError, after the same work and with nothing recorded.
   */
  async authenticate(
    rawEmail: string,
    rawPassword: string,
    options: { readonly requireVerifiedEmail?: boolean } = {},
  ): Promise<UserRecord> {
    const password = normalizePassword(rawPassword);
    const email = canonicalEmail(rawEmail);
    const credentials = email.length <= EMAIL_MAX_LENGTH ? await this.deps.users.findCredentialsByEmail(email) : null;
    if (!credentials) {
      await this.deps.passwords.verifyAgainstDummy(password);
      throw new InvalidCredentialsError();
    }
    const { ok, needsRehash } = await this.deps.passwords.verify(credentials.passwordHash, password);
    if (!ok || credentials.user.disabled) throw new InvalidCredentialsError(credentials.user.id);
    // Only past the full password check, and before anything is written: a wrong password
    // still gets INVALID_CREDENTIALS after the same work, and a refused login is no login.
    if (options.requireVerifiedEmail && !credentials.user.emailVerified) {
      throw new EmailNotVerifiedError(credentials.user.id);
    }

    const now = this.deps.now();
    // The only moment the plain password is known: upgrade hashes made with weaker parameters.
    const upgradedHash = needsRehash ? await this.deps.passwords.hash(password) : undefined;
    const { user } = credentials;
    await this.deps.users.recordLogin(user.id, user.credentialsVersion, now, upgradedHash);
    return { ...user, lastLoginAt: new Date(now) };
  }

  /**
   * Checks the current password, applies the password rules to the new one, and stores
   * its hash, keeping `keepSessionId` (the caller's) valid under the new credentials.
   * A wrong, over-long or meanwhile-changed current password all get the same error.
   */
  async changePassword(
    userId: string,
    currentPassword: string,
    newPassword: string,
    keepSessionId: string | null,
  ): Promise<void> {
    const next = normalizePassword(newPassword, 'newPassword');
    const incorrect = () => new InvalidInputError('currentPassword', 'The current password is incorrect.');
    const credentials =
      [...currentPassword].length <= PASSWORD_MAX_LENGTH ? await this.deps.users.findCredentialsById(userId) : null;
    if (!credentials) {
      // The same argon2 work as a real check; the text hashed does not matter (and is never normalized: see boundedNfkc).
      await this.deps.passwords.verifyAgainstDummy(currentPassword.slice(0, PASSWORD_MAX_LENGTH));
      throw incorrect();
    }
    const { ok } = await this.deps.passwords.verify(credentials.passwordHash, currentPassword.normalize('NFKC'));
    if (!ok) throw incorrect();
    const hash = await this.deps.passwords.hash(next);
    // Compare-and-set on the version read before the hashes: a change or disable meanwhile wins.
    const replaced = await this.deps.users.replacePassword(
      userId,
      credentials.user.credentialsVersion,
      hash,
      keepSessionId,
      this.deps.now(),
    );
    if (!replaced) throw incorrect();
  }

  /**
   * Proves the signed-in user's current password (changeEmail): one argon2 verify whether
   * or not the user still exists, and one error for every failure.
   */
  async proveCurrentPassword(userId: string, currentPassword: string): Promise<UserRecord> {
    const incorrect = () => new InvalidInputError('currentPassword', 'The current password is incorrect.');
    const credentials =
      [...currentPassword].length <= PASSWORD_MAX_LENGTH ? await this.deps.users.findCredentialsById(userId) : null;
    if (!credentials) {
      await this.deps.passwords.verifyAgainstDummy(currentPassword.slice(0, PASSWORD_MAX_LENGTH));
      throw incorrect();
    }
    const { ok } = await this.deps.passwords.verify(credentials.passwordHash, currentPassword.normalize('NFKC'));
    if (!ok || credentials.user.disabled) throw incorrect();
    return credentials.user;
  }

  findById(id: string): Promise<UserRecord | null> {
    return this.deps.users.findById(id);
  }

  /** For batching loaders: one query for many ids, in the order asked. */
  findByIds(ids: readonly string[]): Promise<Array<UserRecord | null>> {
    return this.deps.users.findByIds(ids);
  }

  list(first: number, after: UserCursor | null): Promise<UserPage> {
    return this.deps.users.list(first, after);
  }
}
