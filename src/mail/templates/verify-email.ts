import { button, layout, paragraph, textBody, type RenderedMail } from './layout';

/** Sent after sign-up (and on resendVerification): proves the address belongs to the account's owner. */
export function verifyEmailMail(link: string, validHours: number): RenderedMail {
  const subject = 'Confirm your email address';
  const intro = 'Confirm that this email address belongs to your new account.';
  const validity = `The link works once, for ${validHours} hours.`;
  const ignore = 'If you did not create an account, ignore this message: nothing happens without the link.';
  return {
    subject,
    text: textBody([intro, `Open this link to confirm:\n${link}`, validity, ignore]),
    html: layout(subject, [
      paragraph(intro),
      button('Confirm email address', link),
      paragraph(validity),
      paragraph(ignore),
    ]),
  };
}
