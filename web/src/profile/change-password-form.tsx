import { useMutation } from '@apollo/client/react';
import { useRef, useState, type FormEvent } from 'react';
import { ProblemAlert } from '../components/problem-alert';
import { TextField } from '../components/text-field';
import { useFormProblem } from '../components/use-form-problem';
import { FormInputError } from '../errors/describe-error';
import { graphql } from '../generated';
import { useStepUp } from '../step-up/step-up';

const ChangePasswordMutation = graphql(`
  mutation ChangeMyPassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)
  }
`);

/** Changing the password keeps this session and ends every other one (the server does that). */
export function ChangePasswordForm() {
  const form = useRef<HTMLFormElement>(null);
  const { alert, inputProblem, report, clear } = useFormProblem(form);
  // A sign-in older than 10 minutes: the step-up dialog first, then this change once more.
  const withStepUp = useStepUp();
  // No refetch needed: the sessions page asks the server again whenever it is opened.
  const [changePassword, { loading }] = useMutation(ChangePasswordMutation);
  const [done, setDone] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const element = event.currentTarget;
    const data = new FormData(element);
    const newPassword = String(data.get('newPassword'));
    clear();
    setDone(false);
    if (newPassword !== String(data.get('confirmPassword'))) {
      report(new FormInputError('confirmPassword', 'The two new passwords are not the same.'));
      return;
    }
    try {
      await withStepUp(() =>
        changePassword({ variables: { currentPassword: String(data.get('currentPassword')), newPassword } }),
      );
      element.reset();
      setDone(true);
    } catch (error) {
      report(error);
    }
  }

  return (
    <section className="card" aria-labelledby="change-password-heading">
      <h2 id="change-password-heading">Change password</h2>
      <p>Changing your password signs you out everywhere else.</p>
      <ProblemAlert problem={alert} />
      {done ? (
        <p role="status" className="success">
          Your password was changed, and your other sessions were ended.
        </p>
      ) : null}
      <form ref={form} onSubmit={submit} noValidate aria-busy={loading}>
        <TextField
          label="Current password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          problem={inputProblem('currentPassword')}
        />
        <TextField
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          hint="8 to 128 characters."
          required
          problem={inputProblem('newPassword')}
        />
        <TextField
          label="New password, again"
          name="confirmPassword"
          type="password"
          autoComplete="new-password"
          required
          problem={inputProblem('confirmPassword')}
        />
        <button type="submit" disabled={loading}>
          {loading ? 'Changing…' : 'Change password'}
        </button>
      </form>
    </section>
  );
}
