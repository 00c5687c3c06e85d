import { layout, paragraph, textBody, type RenderedMail } from './layout';

/**
 * Sent when a passkey is added to the account. A passkey signs in on its own, as two
 * factors, and outlives password changes and `logoutAll`: the owner must hear of one they
 * did not add. Its name is not quoted: whoever added it chose it (see layout.ts).
 */
export function passkeyAddedMail(synced: boolean): RenderedMail {
  const subject = 'A passkey was added to your account';
  const intro = synced
    ? 'A passkey was just added to your account, in a password manager or account that syncs it between devices.'
    : 'A passkey was just added to your account, on one device.';
  const effect = 'It signs in to your account without the password, until you remove it.';
  const warning =
    'If this was not you, sign in, remove the passkey from your list of passkeys, change your password and sign out every session.';
  return {
    subject,
    text: textBody([intro, effect, warning]),
    html: layout(subject, [paragraph(intro), paragraph(effect), paragraph(warning)]),
  };
}
