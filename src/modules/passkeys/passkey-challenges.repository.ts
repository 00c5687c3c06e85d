import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { ChallengePurpose } from './passkey.model';

export interface PendingChallenge {
  readonly challengeHash: string;
  readonly purpose: ChallengePurpose;
  readonly userId: string | null;
  readonly expiresAt: number;
}

/** Ceremonies in flight. Each challenge is given to exactly one finish: the one whose DELETE removes it. */
export class PasskeyChallengeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(challenge: PendingChallenge): Promise<void> {
    await this.db
      .insertInto('passkey_challenges')
      .values({
        challenge_hash: challenge.challengeHash,
        purpose: challenge.purpose,
        user_id: challenge.userId,
        expires_at: challenge.expiresAt,
      })
      .execute();
  }

  /**
   * Takes the challenge if it is pending for this purpose (and user), unexpired at `now`
   * (usable up to and including its expiry instant). One statement: of two finishes racing
   * with one challenge, only the one whose DELETE returns the row goes on. A finish of the
   * wrong purpose or user matches nothing and leaves the challenge to its rightful finish.
   */
  async consume(
    challengeHash: string,
    purpose: ChallengePurpose,
    userId: string | null,
    now: number,
  ): Promise<boolean> {
    let query = this.db
      .deleteFrom('passkey_challenges')
      .where('challenge_hash', '=', challengeHash)
      .where('purpose', '=', purpose)
      .where('expires_at', '>=', now);
    query = userId === null ? query.where('user_id', 'is', null) : query.where('user_id', '=', userId);
    const row = await query.returning('challenge_hash').executeTakeFirst();
    return row !== undefined;
  }

  /** Housekeeping: challenges nobody finished. */
  async purgeExpired(now: number): Promise<number> {
    const result = await this.db.deleteFrom('passkey_challenges').where('expires_at', '<', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
