import { button, layout, paragraph, textBody, type RenderedMail } from './layout';

/** Sent on requestPasswordReset to an address that has an account. */
export function passwordResetMail(link: string, validMinutes: number): RenderedMail {
  const subject = 'Reset your password';
  const intro = 'A password reset was requested for the account of this email address.';
  const validity = `The link works once, for ${validMinutes} minutes, and stops working if the password changes meanwhile.`;
  const ignore = 'If you did not ask for it, ignore this message: your password stays as it is.';
  return {
    subject,
    text: textBody([intro, `Open this link to choose a new password:\n${link}`, validity, ignore]),
    html: layout(subject, [
      paragraph(intro),
      button('Choose a new password', link),
      paragraph(validity),
      paragraph(ignore),
    ]),
  };
}
