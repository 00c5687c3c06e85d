import { layout, paragraph, textBody, type RenderedMail } from './layout';

/** Sent after resetPassword: the owner learns of a reset they may not have made. */
export function passwordWasResetMail(): RenderedMail {
  const subject = 'Your password was reset';
  const intro = 'The password of your account was just reset with a link sent to this address.';
  const effect = 'Every session of the account was signed out.';
  const warning = 'If this was not you, reset your password again at once and check who can read this mailbox.';
  return {
    subject,
    text: textBody([intro, effect, warning]),
    html: layout(subject, [paragraph(intro), paragraph(effect), paragraph(warning)]),
  };
}
