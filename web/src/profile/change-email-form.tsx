import { useMutation } from '@apollo/client/react';
import { useRef, useState, type FormEvent } from 'react';
import { ProblemAlert } from '../components/problem-alert';
import { TextField } from '../components/text-field';
import { useFormProblem } from '../components/use-form-problem';
import { graphql } from '../generated';
import { useStepUp } from '../step-up/step-up';

const ChangeEmailMutation = graphql(`
  mutation ChangeMyEmail($newEmail: String!, $currentPassword: String!) {
    changeEmail(newEmail: $newEmail, currentPassword: $currentPassword)
  }
`);

/**
 * A new address, proven before it counts: the server mails a link to it (and a notice to the
 * current one), and nothing changes until that link is followed.
 */
export function ChangeEmailForm() {
  const withStepUp = useStepUp();
  const form = useRef<HTMLFormElement>(null);
  const { alert, inputProblem, report, clear } = useFormProblem(form);
  const [changeEmail, { loading }] = useMutation(ChangeEmailMutation, { fetchPolicy: 'no-cache' });
  const [sentTo, setSentTo] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const element = event.currentTarget;
    const data = new FormData(element);
    const newEmail = String(data.get('newEmail')).trim();
    clear();
    setSentTo(null);
    try {
      await withStepUp(() =>
        changeEmail({ variables: { newEmail, currentPassword: String(data.get('currentPassword')) } }),
      );
      element.reset();
      setSentTo(newEmail);
    } catch (error) {
      report(error);
    }
  }

  return (
    <section className="card" aria-labelledby="change-email-heading">
      <h2 id="change-email-heading">Change email address</h2>
      <p>We send a link to the new address. Your address changes when you follow it.</p>
      <ProblemAlert problem={alert} />
      <p role="status" className="success">
        {sentTo ? `We sent a link to ${sentTo}. Follow it to finish the change; it works for 24 hours.` : ''}
      </p>
      <form ref={form} name="change-email" onSubmit={submit} noValidate aria-busy={loading}>
        <TextField
          label="New email address"
          name="newEmail"
          type="email"
          autoComplete="email"
          required
          problem={inputProblem('newEmail')}
        />
        <TextField
          // Not "Current password": that is the password form's input, just above.
          label="Your password"
          hint="The one you log in with now."
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          problem={inputProblem('currentPassword')}
        />
        <button type="submit" disabled={loading}>
          {loading ? 'Sending…' : 'Send the link'}
        </button>
      </form>
    </section>
  );
}
