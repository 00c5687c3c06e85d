import type { Mailer } from '../../mail/mailer';
import { twoFactorChangedMail, type TwoFactorChange } from '../../mail/templates/two-factor-changed';
import type { UserRepository } from '../user/user.repository';

/** Tells the owner, at the account's address, of every change to its second factor. */
export class TwoFactorMail {
  constructor(
    private readonly mailer: Mailer,
    private readonly users: UserRepository,
  ) {}

  /** Queued, never awaited on delivery: the answer does not wait on (or time) a mail server. */
  async changed(userId: string, change: TwoFactorChange): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user) return;
    this.mailer.send({
      to: user.email,
      kind: `two-factor-${change.replace(/_/g, '-')}`,
      ...twoFactorChangedMail(change),
    });
  }
}
