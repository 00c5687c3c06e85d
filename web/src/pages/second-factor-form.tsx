import type { MfaChallenge } from '@tollgate/client';
import { useTollgate } from '@tollgate/client/react';
import { useRef, useState, type FormEvent } from 'react';
import { PageHeading } from '../components/page-heading';
import { ProblemAlert } from '../components/problem-alert';
import { TextField } from '../components/text-field';
import { useFormProblem } from '../components/use-form-problem';
import { FormInputError } from '../errors/describe-error';
import { secondFactorFrom } from '../two-factor/second-factor-input';

/**
 * Login's second step, after the password was right (MFA_REQUIRED): a code from the
 * authenticator app, or one of the recovery codes. The challenge lives only in this
 * component's memory; a dead one (too slow, or used) sends the person back to the password.
 */
export function SecondFactorForm(props: {
  challenge: MfaChallenge;
  onSignedIn: () => void;
  onRestart: (reason?: unknown) => void;
}) {
  const tollgate = useTollgate();
  const form = useRef<HTMLFormElement>(null);
  const { alert, inputProblem, report, clear } = useFormProblem(form);
  const [busy, setBusy] = useState(false);
  const recoveryAllowed = props.challenge.methods.length === 0 || props.challenge.methods.includes('RECOVERY_CODE');

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const factor = secondFactorFrom(String(new FormData(event.currentTarget).get('code')));
    clear();
    if (!factor) {
      report(new FormInputError('code', 'Enter the 6-digit code from your authenticator app.'));
      return;
    }
    setBusy(true);
    try {
      await tollgate.verifyMfa({ challenge: props.challenge.challenge, ...factor });
      props.onSignedIn();
    } catch (error) {
      const reason = (error as { reason?: unknown }).reason;
      if (reason === 'MFA_CHALLENGE_INVALID') return props.onRestart(error);
      report(error);
      setBusy(false);
    }
  }

  return (
    <section className="card narrow">
      <PageHeading>Enter your code</PageHeading>
      <p>Your password was right. Now open your authenticator app and enter the code it shows for Tollgate.</p>
      <ProblemAlert problem={alert} />
      <form ref={form} name="second-factor" onSubmit={submit} noValidate aria-busy={busy}>
        <TextField
          label="Authentication code"
          name="code"
          hint={
            recoveryAllowed
              ? 'The 6 digits from your app, or one of your recovery codes.'
              : 'The 6 digits from your app.'
          }
          autoComplete="one-time-code"
          spellCheck={false}
          autoCapitalize="characters"
          required
          problem={inputProblem('code')}
        />
        <div className="button-row">
          <button type="submit" disabled={busy}>
            {busy ? 'Checking…' : 'Continue'}
          </button>
          <button type="button" className="secondary" onClick={() => props.onRestart()} disabled={busy}>
            Start over
          </button>
        </div>
      </form>
    </section>
  );
}
