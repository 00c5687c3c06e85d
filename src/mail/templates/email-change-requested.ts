import { layout, paragraph, textBody, type RenderedMail } from './layout';

/**
 * Sent to the current (verified) address when changeEmail is asked for: its owner learns
 * of it before it can happen. The new address is not quoted: the requester chose it, and
 * quoting it would put their text (a phishing line, a link) in the owner's inbox.
 */
export function emailChangeRequestedMail(): RenderedMail {
  const subject = 'A change of your email address was requested';
  const intro = 'A request was made to change the email address of your account.';
  const effect = 'It takes effect only when the link sent to the new address is followed.';
  const warning = 'If this was not you, change your password now: whoever asked knew it. That also cancels the change.';
  return {
    subject,
    text: textBody([intro, effect, warning]),
    html: layout(subject, [paragraph(intro), paragraph(effect), paragraph(warning)]),
  };
}
