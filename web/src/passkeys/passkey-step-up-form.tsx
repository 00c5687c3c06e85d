import { useTollgate } from '@tollgate/client/react';
import { useRef, useState, type FormEvent } from 'react';
import { ProblemAlert } from '../components/problem-alert';
import { TextField } from '../components/text-field';
import { useFormProblem } from '../components/use-form-problem';

/**
 * The server asked for a recent sign-in (STEP_UP_REQUIRED): the password again, and a code
 * when two-factor is on. `reauthenticate` renews this session's token; then the action is
 * asked again.
 */
export function PasskeyStepUpForm(props: { action: string; onConfirmed: () => void; onCancel: () => void }) {
  const tollgate = useTollgate();
  const form = useRef<HTMLFormElement>(null);
  const { alert, inputProblem, report, clear } = useFormProblem(form);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const code = String(data.get('code') ?? '').trim();
    setBusy(true);
    clear();
    try {
      await tollgate.reauthenticate({ password: String(data.get('password')), ...(code ? { code } : {}) });
      props.onConfirmed();
    } catch (error) {
      report(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="card">
      <h2>Confirm it’s you</h2>
      <p>To {props.action}, enter your password again.</p>
      <ProblemAlert problem={alert} />
      <form ref={form} name="passkey-step-up" onSubmit={submit} noValidate aria-busy={busy}>
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          problem={inputProblem('password')}
        />
        <TextField
          label="Authenticator code (if two-factor is on)"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          problem={inputProblem('code')}
        />
        <div className="passkey-buttons">
          <button type="submit" disabled={busy}>
            Confirm
          </button>
          <button type="button" className="secondary" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}
