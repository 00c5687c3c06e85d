import { button, layout, paragraph, textBody, type RenderedMail } from './layout';

/** Sent to the new address of changeEmail: the change happens only once this link is followed. */
export function confirmEmailChangeMail(link: string, validHours: number): RenderedMail {
  const subject = 'Confirm your new email address';
  const intro = 'Someone asked to use this email address for their account. If that was you, confirm it.';
  const validity = `The link works once, for ${validHours} hours. Until it is followed, nothing changes.`;
  const ignore = 'If it was not you, ignore this message.';
  return {
    subject,
    text: textBody([intro, `Open this link to confirm:\n${link}`, validity, ignore]),
    html: layout(subject, [
      paragraph(intro),
      button('Confirm new address', link),
      paragraph(validity),
      paragraph(ignore),
    ]),
  };
}
