import { useMutation } from '@apollo/client/react';
import { useRef, useState, type FormEvent } from 'react';
import { ProblemAlert } from '../components/problem-alert';
import { TextField } from '../components/text-field';
import { useFormProblem } from '../components/use-form-problem';
import { graphql } from '../generated';

const ResendVerificationMutation = graphql(`
  mutation ResendMyVerification($email: String!) {
    resendVerification(email: $email)
  }
`);

/**
 * Asks for a new verification link. The server answers the same for every address (so the
 * form cannot be used to learn who has an account), and so does this form.
 */
export function ResendVerificationForm(props: { email?: string | undefined; heading?: string }) {
  const form = useRef<HTMLFormElement>(null);
  const { alert, inputProblem, report, clear } = useFormProblem(form);
  const [resend, { loading }] = useMutation(ResendVerificationMutation, { fetchPolicy: 'no-cache' });
  const [sentTo, setSentTo] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = props.email ?? String(new FormData(event.currentTarget).get('email')).trim();
    clear();
    setSentTo(null);
    try {
      await resend({ variables: { email } });
      setSentTo(email);
    } catch (error) {
      report(error);
    }
  }

  return (
    <div>
      {props.heading ? <h2>{props.heading}</h2> : null}
      <ProblemAlert problem={alert} />
      <p role="status" className="success">
        {sentTo
          ? `If ${sentTo} belongs to an account that is not confirmed yet, we sent a new link to it. It works for 24 hours.`
          : ''}
      </p>
      <form ref={form} name="resend-verification" onSubmit={submit} noValidate aria-busy={loading}>
        {props.email ? null : (
          <TextField
            label="Email"
            name="email"
            type="email"
            autoComplete="email"
            required
            problem={inputProblem('email')}
          />
        )}
        <button type="submit" className={props.email ? 'secondary' : undefined} disabled={loading}>
          {loading ? 'Sending…' : 'Send a new link'}
        </button>
      </form>
    </div>
  );
}
