import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';

export interface TotpAuthenticator {
  readonly userId: string;
  readonly sealedSecret: string;
  /** Null while the enrolment waits for its first code. */
  readonly confirmedAt: Date | null;
  /** Epoch ms after which an unconfirmed enrolment is void; null once confirmed. */
  readonly pendingUntil: number | null;
  readonly lastUsedStep: number | null;
}

export interface MfaChallenge {
  readonly userId: string;
  readonly credentialsVersion: number;
  /** Epoch ms at which the password was proven. */
  readonly passwordAt: number;
  readonly expiresAt: number;
  readonly failures: number;
  readonly used: boolean;
}

export interface Activation {
  readonly userId: string;
  readonly sessionId: string;
  /** The step of the code that confirmed it: that code cannot then be used to log in. */
  readonly step: number;
  readonly recoveryCodeHashes: readonly string[];
  readonly now: number;
}

/** A second factor found right, to be spent: the TOTP step its code is for, or a recovery code's keyed hash. */
export type FactorToSpend =
  { readonly kind: 'totp'; readonly step: number } | { readonly kind: 'recovery_code'; readonly codeHash: string };

/** How completing a login's challenge ended: the factor spent with it, or why nothing changed. */
export type ChallengeCompletion = 'completed' | 'challenge_refused' | 'factor_refused';

const REFUSED = Symbol('refused');
const CHALLENGE_REFUSED = Symbol('challenge refused');
const FACTOR_REFUSED = Symbol('factor refused');

/** SQL for second factors. The only writer of its three tables; see activate() for the two it shares. */
export class TwoFactorRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findAuthenticator(userId: string): Promise<TotpAuthenticator | null> {
    const row = await this.db
      .selectFrom('totp_authenticators')
      .selectAll()
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!row) return null;
    return {
      userId: row.user_id,
      sealedSecret: row.sealed_secret,
      confirmedAt: row.confirmed_at === null ? null : new Date(Number(row.confirmed_at)),
      pendingUntil: row.pending_until === null ? null : Number(row.pending_until),
      lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step),
    };
  }

  /** Whether the user has a confirmed authenticator (what login and reauthenticate ask for). */
  async isEnrolled(userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('totp_authenticators')
      .select('user_id')
      .where('user_id', '=', userId)
      .where('confirmed_at', 'is not', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Replaces any pending enrolment of the user with this one; refuses (false) when an
   * authenticator is already confirmed, which only disableTotp or an ADMIN reset removes.
   */
  async startEnrollment(userId: string, sealedSecret: string, now: number, pendingUntil: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('totp_authenticators')
        .where('user_id', '=', userId)
        .where('confirmed_at', 'is', null)
        .execute();
      const inserted = await trx
        .insertInto('totp_authenticators')
        .values({
          user_id: userId,
          sealed_secret: sealedSecret,
          created_at: now,
          pending_until: pendingUntil,
          confirmed_at: null,
          last_used_step: null,
        })
        .onConflict((oc) => oc.column('user_id').doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
    });
  }

  /**
   * Confirms the pending enrolment, in one transaction: the authenticator becomes active
   * (if it is still pending and unexpired), the recovery codes replace any old ones, the
   * user's credentials version goes up, and the enrolling session alone moves to it, now
   * stating `pwd otp` (the code was just proven; `authenticated_at` keeps the password's
   * time, the older of the two). Every other session, opened with the password alone, is
   * dead from here (its refresh fails; the caller ends it so its tokens die too), and a
   * login that proved the password before this commits can open nothing: sessions are
   * opened only with the credentials version the password was checked against.
   * Returns false, changing nothing, when any part is refused.
   */
  async activate(activation: Activation): Promise<boolean> {
    const { userId, sessionId, step, recoveryCodeHashes, now } = activation;
    try {
      return await this.db.transaction().execute(async (trx) => {
        const confirmed = await trx
          .updateTable('totp_authenticators')
          .set({ confirmed_at: now, pending_until: null, last_used_step: step })
          .where('user_id', '=', userId)
          .where('confirmed_at', 'is', null)
          .where('pending_until', '>', now)
          .executeTakeFirst();
        if (Number(confirmed.numUpdatedRows) !== 1) throw REFUSED;
        const bumped = await trx
          .updateTable('users')
          .set((eb) => ({ credentials_version: eb('credentials_version', '+', 1) }))
          .where('id', '=', userId)
          .where('disabled', '=', 0)
          .returning('credentials_version')
          .executeTakeFirst();
        if (!bumped) throw REFUSED;
        const moved = await trx
          .updateTable('sessions')
          .set({ credentials_version: Number(bumped.credentials_version), amr: 'pwd otp' })
          .where('id', '=', sessionId)
          .where('user_id', '=', userId)
          .where('ended_at', 'is', null)
          .where('credentials_version', '=', Number(bumped.credentials_version) - 1)
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1) throw REFUSED;
        await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
        await trx
          .insertInto('recovery_codes')
          .values(
            recoveryCodeHashes.map((code_hash) => ({ user_id: userId, code_hash, created_at: now, used_at: null })),
          )
          .execute();
        return true;
      });
    } catch (error) {
      if (error === REFUSED) return false;
      throw error;
    }
  }

  /**
   * Accepts the code of `step` once: a compare-and-set on the newest step used, so a code
   * replayed (or raced by a second request) or any older code is refused, on every instance.
   */
  async useStep(userId: string, step: number, db = this.db): Promise<boolean> {
    const result = await db
      .updateTable('totp_authenticators')
      .set({ last_used_step: step })
      .where('user_id', '=', userId)
      .where('confirmed_at', 'is not', null)
      .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Spends one recovery code: exactly one of any number of concurrent uses succeeds. */
  async useRecoveryCode(userId: string, codeHash: string, now: number, db = this.db): Promise<boolean> {
    const result = await db
      .updateTable('recovery_codes')
      .set({ used_at: now })
      .where('user_id', '=', userId)
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async recoveryCodesLeft(userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('recovery_codes')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('left'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.left);
  }

  /**
   * Whether each user has a confirmed authenticator, and their unused recovery codes: two
   * queries for any number of users (a page of `users` asking for `twoFactor`).
   */
  async statuses(userIds: readonly string[]): Promise<Map<string, { enabled: boolean; recoveryCodesLeft: number }>> {
    const ids = [...new Set(userIds)];
    const statuses = new Map(ids.map((id) => [id, { enabled: false, recoveryCodesLeft: 0 }]));
    if (ids.length === 0) return statuses;
    const enrolled = await this.db
      .selectFrom('totp_authenticators')
      .select('user_id')
      .where('user_id', 'in', ids)
      .where('confirmed_at', 'is not', null)
      .execute();
    const enabledIds = enrolled.map((row) => row.user_id);
    for (const id of enabledIds) statuses.get(id)!.enabled = true;
    if (enabledIds.length === 0) return statuses;
    const counts = await this.db
      .selectFrom('recovery_codes')
      .select(['user_id', (eb) => eb.fn.countAll<number | string | bigint>().as('left')])
      .where('user_id', 'in', enabledIds)
      .where('used_at', 'is', null)
      .groupBy('user_id')
      .execute();
    for (const row of counts) statuses.get(row.user_id)!.recoveryCodesLeft = Number(row.left);
    return statuses;
  }

  /** Replaces every recovery code of an enrolled user; false when the user has no confirmed authenticator. */
  async replaceRecoveryCodes(userId: string, codeHashes: readonly string[], now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const enrolled = await trx
        .selectFrom('totp_authenticators')
        .select('user_id')
        .where('user_id', '=', userId)
        .where('confirmed_at', 'is not', null)
        .executeTakeFirst();
      if (!enrolled) return false;
      await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      await trx
        .insertInto('recovery_codes')
        .values(codeHashes.map((code_hash) => ({ user_id: userId, code_hash, created_at: now, used_at: null })))
        .execute();
      return true;
    });
  }

  /**
   * Removes every second factor of the user and the challenges waiting for one; with
   * `bumpCredentials` (an ADMIN reset) the user's credentials version goes up too when there
   * was one, so no session or login in flight from before survives. Returns whether a confirmed
   * authenticator was removed.
   */
  async remove(userId: string, options: { bumpCredentials: boolean }): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const removed = await trx
        .deleteFrom('totp_authenticators')
        .where('user_id', '=', userId)
        .returning('confirmed_at')
        .execute();
      await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      await trx.deleteFrom('mfa_challenges').where('user_id', '=', userId).execute();
      const hadSecondFactor = removed.some((row) => row.confirmed_at !== null);
      if (options.bumpCredentials && hadSecondFactor) {
        await trx
          .updateTable('users')
          .set((eb) => ({ credentials_version: eb('credentials_version', '+', 1) }))
          .where('id', '=', userId)
          .execute();
      }
      return hadSecondFactor;
    });
  }

  async createChallenge(tokenHash: string, challenge: Omit<MfaChallenge, 'failures' | 'used'>): Promise<void> {
    await this.db
      .insertInto('mfa_challenges')
      .values({
        token_hash: tokenHash,
        user_id: challenge.userId,
        credentials_version: challenge.credentialsVersion,
        password_at: challenge.passwordAt,
        expires_at: challenge.expiresAt,
        used_at: null,
      })
      .execute();
  }

  async findChallenge(tokenHash: string): Promise<MfaChallenge | null> {
    const row = await this.db
      .selectFrom('mfa_challenges')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row) return null;
    return {
      userId: row.user_id,
      credentialsVersion: Number(row.credentials_version),
      passwordAt: Number(row.password_at),
      expiresAt: Number(row.expires_at),
      failures: Number(row.failures),
      used: row.used_at !== null,
    };
  }

  /** Counts a wrong code against the challenge; past `max` it is dead, whatever comes next. */
  async recordChallengeFailure(tokenHash: string): Promise<void> {
    await this.db
      .updateTable('mfa_challenges')
      .set((eb) => ({ failures: eb('failures', '+', 1) }))
      .where('token_hash', '=', tokenHash)
      .execute();
  }

  /**
   * Login's second step, all or nothing: the challenge is spent (unused, unexpired, not worn
   * out) and the factor with it, in one transaction. A challenge that died meanwhile leaves
   * the code or recovery code unspent, and a factor refused (replayed, raced, already used)
   * leaves the challenge as it was.
   */
  async completeChallenge(
    tokenHash: string,
    userId: string,
    factor: FactorToSpend,
    now: number,
    maxFailures: number,
  ): Promise<ChallengeCompletion> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const consumed = await trx
          .updateTable('mfa_challenges')
          .set({ used_at: now })
          .where('token_hash', '=', tokenHash)
          .where('user_id', '=', userId)
          .where('used_at', 'is', null)
          .where('expires_at', '>', now)
          .where('failures', '<', maxFailures)
          .executeTakeFirst();
        if (Number(consumed.numUpdatedRows) !== 1) throw CHALLENGE_REFUSED;
        const spent =
          factor.kind === 'totp'
            ? await this.useStep(userId, factor.step, trx)
            : await this.useRecoveryCode(userId, factor.codeHash, now, trx);
        if (!spent) throw FACTOR_REFUSED;
        return 'completed' as const;
      });
    } catch (error) {
      if (error === CHALLENGE_REFUSED) return 'challenge_refused';
      if (error === FACTOR_REFUSED) return 'factor_refused';
      throw error;
    }
  }

  /** Housekeeping: challenges past their end, and enrolments never confirmed in time. */
  async purgeExpired(now: number): Promise<number> {
    const challenges = await this.db.deleteFrom('mfa_challenges').where('expires_at', '<=', now).executeTakeFirst();
    const pending = await this.db
      .deleteFrom('totp_authenticators')
      .where('confirmed_at', 'is', null)
      .where('pending_until', '<=', now)
      .executeTakeFirst();
    return Number(challenges.numDeletedRows) + Number(pending.numDeletedRows);
  }
}
