import type { Mailer } from '../../mail/mailer';
import { passkeyAddedMail } from '../../mail/templates/passkey-added';
import type { UserRepository } from '../user/user.repository';

/** Tells the owner, at the account's address, when a passkey is added. */
export class PasskeyMail {
  constructor(
    private readonly mailer: Mailer,
    private readonly users: UserRepository,
  ) {}

  /**
   * Queued, never awaited on delivery. Only to a verified address: an unproven one may be
   * anyone's, and this message is about someone else's account.
   */
  async added(userId: string, synced: boolean): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user?.emailVerified) return;
    this.mailer.send({ to: user.email, kind: 'passkey-added', ...passkeyAddedMail(synced) });
  }
}
