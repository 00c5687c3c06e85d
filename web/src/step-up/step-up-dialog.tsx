import { useQuery } from '@apollo/client/react';
import { useTollgate } from '@tollgate/client/react';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ProblemAlert } from '../components/problem-alert';
import { TextField } from '../components/text-field';
import { useFormProblem } from '../components/use-form-problem';
import { FormInputError } from '../errors/describe-error';
import { graphql } from '../generated';
import { secondFactorFrom } from '../two-factor/second-factor-input';

// Whether to ask for a code too. The same fields as the two-factor page asks for, so the cache shares them.
const StepUpTwoFactorQuery = graphql(`
  query StepUpTwoFactor {
    me {
      id
      twoFactor {
        enabled
        recoveryCodesLeft
      }
    }
  }
`);

/**
 * "Confirm it's you": a modal dialog (the native <dialog>, opened with showModal(): the page
 * behind is inert, so focus stays inside; Escape cancels; focus returns where it was).
 */
export function StepUpDialog(props: { onConfirmed: () => void; onCancel: () => void }) {
  const tollgate = useTollgate();
  const dialog = useRef<HTMLDialogElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const { alert, inputProblem, report, clear } = useFormProblem(form);
  const [busy, setBusy] = useState(false);
  const headingId = useId();
  const { data } = useQuery(StepUpTwoFactorQuery, { fetchPolicy: 'cache-first' });
  // Unknown (still loading, or the query failed): offer the input, optional.
  const twoFactor = data?.me?.twoFactor?.enabled;
  const { onCancel } = props;

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!element.open) element.showModal();
    return () => {
      if (element.open) element.close();
      returnTo?.focus();
    };
  }, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const second = secondFactorFrom(String(data.get('code') ?? ''));
    clear();
    if (twoFactor === true && !second) {
      report(new FormInputError('code', 'Enter the code from your authenticator app, or a recovery code.'));
      return;
    }
    setBusy(true);
    try {
      await tollgate.reauthenticate({ password: String(data.get('password')), ...second });
      props.onConfirmed();
    } catch (error) {
      report(error);
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={headingId}
      // Escape: the browser's own cancel, turned into ours so the waiting action is told.
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      <h2 id={headingId}>Confirm it’s you</h2>
      <p>This change needs a recent sign-in. Enter your password again{twoFactor ? ', and a code' : ''}.</p>
      <ProblemAlert problem={alert} />
      <form ref={form} name="step-up" onSubmit={submit} noValidate aria-busy={busy}>
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          autoFocus
          problem={inputProblem('password')}
        />
        {twoFactor === false ? null : (
          <TextField
            label={twoFactor ? 'Authentication code' : 'Authentication code (if two-factor is on)'}
            name="code"
            hint="The 6 digits your authenticator app shows, or one of your recovery codes."
            autoComplete="one-time-code"
            spellCheck={false}
            required={twoFactor === true}
            problem={inputProblem('code')}
          />
        )}
        <div className="button-row">
          <button type="submit" disabled={busy}>
            {busy ? 'Confirming…' : 'Confirm'}
          </button>
          <button type="button" className="secondary" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
