import { layout, paragraph, textBody, type RenderedMail } from './layout';

/** What happened to the account's second factor. */
export type TwoFactorChange = 'enabled' | 'disabled' | 'reset' | 'recovery_codes_regenerated';

const WHAT_HAPPENED: Readonly<Record<TwoFactorChange, { subject: string; intro: string }>> = {
  enabled: {
    subject: 'Two-factor authentication was turned on',
    intro: 'Two-factor authentication was just turned on for your account, with a new authenticator app.',
  },
  disabled: {
    subject: 'Two-factor authentication was turned off',
    intro: 'Two-factor authentication was just turned off for your account: signing in now asks only the password.',
  },
  reset: {
    subject: 'Two-factor authentication was reset',
    intro:
      'An administrator just removed the second factor of your account, and every session of the account was signed out.',
  },
  recovery_codes_regenerated: {
    subject: 'New recovery codes were made',
    intro: 'New recovery codes were just made for your account; the old ones no longer work.',
  },
};

/**
 * Sent after any change to the second factor: whoever holds a stolen session must not be
 * able to swap the owner's authenticator, or take the recovery codes, without the owner hearing of it.
 */
export function twoFactorChangedMail(change: TwoFactorChange): RenderedMail {
  const { subject, intro } = WHAT_HAPPENED[change];
  const warning =
    'If this was not you, change your password at once, sign out every session, and set up two-factor authentication again.';
  return {
    subject,
    text: textBody([intro, warning]),
    html: layout(subject, [paragraph(intro), paragraph(warning)]),
  };
}
