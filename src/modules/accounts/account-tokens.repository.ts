import type { Kysely, Transaction } from 'kysely';
import { isUniqueViolation, type DialectName } from '../../db/connect';
import type { Database } from '../../db/database';
import type { AccountTokenPurpose } from './account-tokens.tables';

/** A token asked for by address (resendVerification, requestPasswordReset). */
export interface TokenForAddress {
  readonly purpose: Extract<AccountTokenPurpose, 'verify_email' | 'password_reset'>;
  readonly email: string;
  readonly tokenHash: string;
  readonly now: number;
  readonly expiresAt: number;
}

/** A token made for a known user (sign-up, changeEmail). */
export interface TokenForUser {
  readonly purpose: AccountTokenPurpose;
  readonly userId: string;
  /** The address the link goes to (for change_email, the new one). */
  readonly email: string;
  /** The account's address now: the link works only while the account still has it. */
  readonly accountEmail: string;
  /** The account's credentials_version now: the link dies with any credentials change. */
  readonly credentialsVersion: number;
  readonly tokenHash: string;
  readonly now: number;
  readonly expiresAt: number;
}

/** What following a verification link did. */
export type VerificationOutcome =
  | { readonly outcome: 'verified'; readonly userId: string; readonly email: string }
  | { readonly outcome: 'changed'; readonly userId: string; readonly email: string; readonly previousEmail: string }
  | { readonly outcome: 'invalid' }
  /** change_email: another account took the address since the link was sent. Nothing changed. */
  | { readonly outcome: 'email_taken' };

export interface ResetTarget {
  readonly userId: string;
  readonly email: string;
}

// Thrown inside a transaction only to roll it back.
class RollBack extends Error {
  constructor(readonly outcome: 'invalid' | 'email_taken') {
    super(outcome);
  }
}

/**
 * SQL for the tokens of emailed links. Using one is a conditional UPDATE (`used_at IS
 * NULL`): on PostgreSQL a concurrent second use waits for the first's row lock, re-reads
 * the row and matches nothing; SQLite serialises writers. So of any number of concurrent
 * uses, exactly one succeeds. The user's row changes in the same transaction, only if it
 * still is what the token was bound to.
 */
export class AccountTokenRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  /**
   * Looks the address up and stores the token in one statement, which inserts one row
   * whether or not the address has an account (that qualifies): for an unknown address
   * with user_id null, usable by nothing and purged at expiry like any other. Both paths
   * must write: on PostgreSQL a transaction that wrote waits for its WAL flush and one
   * that wrote nothing does not, a difference in time that would tell whether an account
   * exists. Returns the user's id, or null when the address matched no account.
   */
  async issueForAddress(request: TokenForAddress): Promise<string | null> {
    const account = this.db
      .selectFrom('users')
      .where('email', '=', request.email)
      .where('disabled', '=', 0)
      .$if(request.purpose === 'verify_email', (query) => query.where('email_verified_at', 'is', null));
    const row = await this.db
      .insertInto('account_tokens')
      .values((eb) => ({
        token_hash: request.tokenHash,
        purpose: request.purpose,
        user_id: account.select('id'),
        email: request.email,
        account_email: request.email,
        credentials_version: eb.fn.coalesce(account.select('credentials_version'), eb.val(0)),
        created_at: request.now,
        expires_at: request.expiresAt,
        used_at: null,
      }))
      .returning('user_id')
      .executeTakeFirstOrThrow();
    return row.user_id;
  }

  /**
   * Stores a token for a known user, bound to the address and credentials_version the
   * account has now. A change_email token replaces the user's pending ones: one change
   * in flight at most, so a flood of requests leaves one working link, not many. The
   * user's row is locked first (PostgreSQL), in the same order as useVerification.
   */
  async issueForUser(token: TokenForUser): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.lockUser(trx, token.userId);
      if (token.purpose === 'change_email') {
        await trx
          .deleteFrom('account_tokens')
          .where('user_id', '=', token.userId)
          .where('purpose', '=', 'change_email')
          .where('used_at', 'is', null)
          .execute();
      }
      await trx
        .insertInto('account_tokens')
        .values({
          token_hash: token.tokenHash,
          purpose: token.purpose,
          user_id: token.userId,
          email: token.email,
          account_email: token.accountEmail,
          credentials_version: token.credentialsVersion,
          created_at: token.now,
          expires_at: token.expiresAt,
          used_at: null,
        })
        .execute();
    });
  }

  /**
   * Uses a verify_email or change_email token (`hashes`: the presented token hashed for
   * each). Either works only while the account still has the address and the
   * credentials_version it had when the link was asked for: a password reset or change
   * (any credentials change) ends every pending link, so whoever held the account before
   * cannot take it back with one. verify_email marks the address verified; change_email
   * moves the account to the new address, which must still be free, and ends the
   * account's other pending verification links.
   *
   * Lock order users → account_tokens (as issueForUser): the token is read without a lock,
   * the user's row locked, then the token used with a conditional UPDATE that a concurrent
   * use, serialised on the user's row, finds already used. Taking the token's row first
   * deadlocked two links of one account used at once on PostgreSQL.
   */
  async useVerification(hashes: readonly string[], now: number): Promise<VerificationOutcome> {
    try {
      return await this.db.transaction().execute(async (trx): Promise<VerificationOutcome> => {
        const token = await trx
          .selectFrom('account_tokens')
          .select(['token_hash', 'purpose', 'user_id', 'email', 'account_email', 'credentials_version'])
          .where('token_hash', 'in', hashes)
          .where('purpose', 'in', ['verify_email', 'change_email'])
          .where('user_id', 'is not', null)
          .where('used_at', 'is', null)
          .where('expires_at', '>', now)
          .executeTakeFirst();
        if (!token || token.user_id === null) throw new RollBack('invalid');
        const userId = token.user_id;
        const user = await this.lockUser(trx, userId);
        if (
          !user ||
          user.disabled !== 0 ||
          user.email !== token.account_email ||
          Number(user.credentials_version) !== Number(token.credentials_version)
        ) {
          throw new RollBack('invalid');
        }
        const used = await trx
          .updateTable('account_tokens')
          .set({ used_at: now })
          .where('token_hash', '=', token.token_hash)
          .where('used_at', 'is', null)
          .executeTakeFirst();
        if (Number(used.numUpdatedRows) !== 1) throw new RollBack('invalid');
        if (token.purpose === 'verify_email') {
          await trx
            .updateTable('users')
            .set((eb) => ({ email_verified_at: eb.fn.coalesce('email_verified_at', eb.val(now)) }))
            .where('id', '=', userId)
            .execute();
          return { outcome: 'verified', userId, email: token.email };
        }
        try {
          await trx
            .updateTable('users')
            .set({ email: token.email, email_verified_at: now, updated_at: now })
            .where('id', '=', userId)
            .execute();
        } catch (error) {
          // Decided by the unique index, so a race with a sign-up or another change is safe.
          if (isUniqueViolation(error)) throw new RollBack('email_taken');
          throw error;
        }
        await trx
          .updateTable('account_tokens')
          .set({ used_at: now })
          .where('user_id', '=', userId)
          .where('purpose', 'in', ['verify_email', 'change_email'])
          .where('used_at', 'is', null)
          .execute();
        return { outcome: 'changed', userId, email: token.email, previousEmail: user.email };
      });
    } catch (error) {
      if (error instanceof RollBack) return { outcome: error.outcome };
      throw error;
    }
  }

  /**
   * Reads the user's row, locked until the transaction ends on PostgreSQL (SQLite serialises
   * writers). FOR NO KEY UPDATE: it waits for, and holds off, every other change to the row
   * (a password change, another link), but not the key-share locks that inserting rows
   * referencing the user takes (sessions, audit events, other tokens).
   */
  private lockUser(trx: Transaction<Database>, userId: string) {
    let read = trx.selectFrom('users').select(['email', 'disabled', 'credentials_version']).where('id', '=', userId);
    if (this.dialect === 'postgres') read = read.forNoKeyUpdate();
    return read.executeTakeFirst();
  }

  /**
   * Whom a reset token would reset, if it would work now: unused, unexpired, and the
   * account still has the address and the credentials the token was made for. Read
   * before the new password is hashed, so a dead token costs no hash.
   */
  async resetTarget(tokenHash: string, now: number): Promise<ResetTarget | null> {
    const row = await this.db
      .selectFrom('account_tokens as t')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .select(['t.user_id', 't.email'])
      .where('t.token_hash', '=', tokenHash)
      .where('t.purpose', '=', 'password_reset')
      .where('t.used_at', 'is', null)
      .where('t.expires_at', '>', now)
      .whereRef('u.credentials_version', '=', 't.credentials_version')
      .whereRef('u.email', '=', 't.email')
      .where('u.disabled', '=', 0)
      .executeTakeFirst();
    return row?.user_id ? { userId: row.user_id, email: row.email } : null;
  }

  /**
   * Uses a reset token and sets the new password hash, or does neither: the token must be
   * unused and unexpired, and the account must still have the credentials_version and
   * address it was made for (any password change, by any route, ends it). Bumps
   * credentials_version, so every session opened before is dead; the address is now
   * proven too. Returns null when the token no longer works.
   */
  async useReset(tokenHash: string, passwordHash: string, now: number): Promise<ResetTarget | null> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const token = await trx
          .updateTable('account_tokens')
          .set({ used_at: now })
          .where('token_hash', '=', tokenHash)
          .where('purpose', '=', 'password_reset')
          .where('used_at', 'is', null)
          .where('expires_at', '>', now)
          .where('user_id', 'is not', null)
          .returning(['user_id', 'email', 'credentials_version'])
          .executeTakeFirst();
        if (!token?.user_id) throw new RollBack('invalid');
        const userId = token.user_id;
        const changed = await trx
          .updateTable('users')
          .set((eb) => ({
            password_hash: passwordHash,
            credentials_version: token.credentials_version + 1,
            updated_at: now,
            email_verified_at: eb.fn.coalesce('email_verified_at', eb.val(now)),
          }))
          .where('id', '=', userId)
          .where('credentials_version', '=', token.credentials_version)
          .where('email', '=', token.email)
          .where('disabled', '=', 0)
          .executeTakeFirst();
        if (Number(changed.numUpdatedRows) !== 1) throw new RollBack('invalid');
        return { userId, email: token.email };
      });
    } catch (error) {
      if (error instanceof RollBack) return null;
      throw error;
    }
  }

  /** Deletes tokens past their expiry, used or not: none of them can do anything any more. */
  async purgeExpired(now: number): Promise<number> {
    const result = await this.db.deleteFrom('account_tokens').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
