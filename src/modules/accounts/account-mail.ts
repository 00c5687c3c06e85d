import type { Mailer } from '../../mail/mailer';
import { tokenLink } from '../../mail/links';
import type { RenderedMail } from '../../mail/templates/layout';
import { confirmEmailChangeMail } from '../../mail/templates/confirm-email-change';
import { emailChangeRequestedMail } from '../../mail/templates/email-change-requested';
import { emailInUseMail } from '../../mail/templates/email-in-use';
import { passwordResetMail } from '../../mail/templates/password-reset';
import { passwordWasResetMail } from '../../mail/templates/password-was-reset';
import { verifyEmailMail } from '../../mail/templates/verify-email';
import { TOKEN_LIFETIME_MS } from './account-tokens';

const HOUR_MS = 3_600_000;

/** A message rendered for someone, sent only when `deliver` is called. */
export interface PreparedMail {
  deliver(): void;
}

/**
 * The messages of the account flows, with their links. Rendering is separate from
 * sending so that an anonymous request renders the same message whether or not it ends
 * up sent: both paths do the same work.
 */
export class AccountMail {
  constructor(
    private readonly mailer: Mailer,
    /** PUBLIC_URL. */
    private readonly publicUrl: string,
  ) {}

  verifyEmail(to: string, token: string): PreparedMail {
    const link = tokenLink(this.publicUrl, 'verify-email', token);
    return this.prepare(to, 'verify-email', verifyEmailMail(link, TOKEN_LIFETIME_MS.verify_email / HOUR_MS));
  }

  confirmEmailChange(to: string, token: string): PreparedMail {
    const link = tokenLink(this.publicUrl, 'verify-email', token);
    return this.prepare(
      to,
      'confirm-email-change',
      confirmEmailChangeMail(link, TOKEN_LIFETIME_MS.change_email / HOUR_MS),
    );
  }

  emailChangeRequested(to: string): PreparedMail {
    return this.prepare(to, 'email-change-requested', emailChangeRequestedMail());
  }

  emailInUse(to: string): PreparedMail {
    return this.prepare(to, 'email-in-use', emailInUseMail());
  }

  passwordReset(to: string, token: string): PreparedMail {
    const link = tokenLink(this.publicUrl, 'reset-password', token);
    return this.prepare(to, 'password-reset', passwordResetMail(link, TOKEN_LIFETIME_MS.password_reset / 60_000));
  }

  passwordWasReset(to: string): PreparedMail {
    return this.prepare(to, 'password-was-reset', passwordWasResetMail());
  }

  private prepare(to: string, kind: string, rendered: RenderedMail): PreparedMail {
    return { deliver: () => this.mailer.send({ to, kind, ...rendered }) };
  }
}
