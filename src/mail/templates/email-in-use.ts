import { layout, paragraph, textBody, type RenderedMail } from './layout';

/**
 * Sent instead of a confirmation link when changeEmail names an address that already has
 * an account: the caller gets the same answer either way (no probing which addresses are
 * taken), and the owner of the address learns what happened.
 */
export function emailInUseMail(): RenderedMail {
  const subject = 'This email address already has an account';
  const intro = 'Someone asked to move another account to this email address, but it already has an account.';
  const effect = 'Nothing was changed. If it was you, sign in to that account instead, or use another address.';
  return {
    subject,
    text: textBody([intro, effect]),
    html: layout(subject, [paragraph(intro), paragraph(effect)]),
  };
}
