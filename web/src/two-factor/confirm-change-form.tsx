import { useId, useRef, useState, type FormEvent } from 'react';
import { ProblemAlert } from '../components/problem-alert';
import { TextField } from '../components/text-field';
import { useFormProblem } from '../components/use-form-problem';
import { FormInputError } from '../errors/describe-error';
import { secondFactorFrom } from './second-factor-input';

/** What the server asks of a change to the second factor, proven in the call itself. */
export interface ChangeProof {
  readonly currentPassword: string;
  readonly code?: string;
  readonly recoveryCode?: string;
}

/**
 * Asks for the password (and, once two-factor is on, a code) right before a change to the
 * second factor: the server checks them in that very call, so a session taken over without
 * them cannot turn two-factor on, off, or take the recovery codes.
 */
export function ConfirmChangeForm(props: {
  /** The heading, naming the change ("Turn off two-factor"). */
  title: string;
  submitLabel: string;
  withCode: boolean;
  onSubmit: (proof: ChangeProof) => Promise<void>;
  onCancel: () => void;
}) {
  const form = useRef<HTMLFormElement>(null);
  const { alert, inputProblem, report, clear } = useFormProblem(form);
  const [busy, setBusy] = useState(false);
  const headingId = useId();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const second = secondFactorFrom(String(data.get('code') ?? ''));
    clear();
    if (props.withCode && !second) {
      report(new FormInputError('code', 'Enter the code from your authenticator app, or a recovery code.'));
      return;
    }
    setBusy(true);
    try {
      await props.onSubmit({ currentPassword: String(data.get('password') ?? ''), ...second });
    } catch (error) {
      report(error);
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{props.title}</h2>
      <p>Confirm it’s you: enter your password{props.withCode ? ', and a code' : ''}.</p>
      <ProblemAlert problem={alert} />
      <form ref={form} name="confirm-change" onSubmit={submit} noValidate aria-busy={busy}>
        <TextField
          label="Current password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          autoFocus
          problem={inputProblem('password')}
        />
        {props.withCode ? (
          <TextField
            label="Authentication code"
            name="code"
            hint="The 6 digits your authenticator app shows, or one of your recovery codes."
            autoComplete="one-time-code"
            spellCheck={false}
            required
            problem={inputProblem('code')}
          />
        ) : null}
        <div className="button-row">
          <button type="submit" disabled={busy}>
            {busy ? 'Confirming…' : props.submitLabel}
          </button>
          <button type="button" className="secondary" onClick={props.onCancel} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
