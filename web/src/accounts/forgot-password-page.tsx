import { useMutation } from '@apollo/client/react';
import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { PageHeading } from '../components/page-heading';
import { ProblemAlert } from '../components/problem-alert';
import { TextField } from '../components/text-field';
import { useFormProblem } from '../components/use-form-problem';
import { graphql } from '../generated';

const RequestPasswordResetMutation = graphql(`
  mutation RequestMyPasswordReset($email: String!) {
    requestPasswordReset(email: $email)
  }
`);

/**
 * "Forgot your password?": asks for a reset link. The answer is the same whether or not the
 * address has an account (the server's too), so this page tells no one who is registered.
 */
export function ForgotPasswordPage() {
  const form = useRef<HTMLFormElement>(null);
  const { alert, inputProblem, report, clear } = useFormProblem(form);
  const [requestReset, { loading }] = useMutation(RequestPasswordResetMutation, { fetchPolicy: 'no-cache' });
  const [sentTo, setSentTo] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get('email')).trim();
    clear();
    try {
      await requestReset({ variables: { email } });
      setSentTo(email);
    } catch (error) {
      report(error);
    }
  }

  return (
    <section className="card narrow">
      <PageHeading>Reset your password</PageHeading>
      {sentTo ? (
        <>
          <p role="status" className="success">
            If {sentTo} belongs to an account, we sent a link to it. The link works for 30 minutes, once.
          </p>
          <p>Nothing arrived? Check your spam folder, or try again in a few minutes.</p>
          <button type="button" className="secondary" onClick={() => setSentTo(null)}>
            Send another link
          </button>
        </>
      ) : (
        <>
          <p>Enter the email address of your account, and we will send you a link to choose a new password.</p>
          <ProblemAlert problem={alert} />
          <form ref={form} name="forgot-password" onSubmit={submit} noValidate aria-busy={loading}>
            <TextField
              label="Email"
              name="email"
              type="email"
              autoComplete="email"
              required
              problem={inputProblem('email')}
            />
            <button type="submit" disabled={loading}>
              {loading ? 'Sending…' : 'Send the link'}
            </button>
          </form>
        </>
      )}
      <p>
        Remembered it? <Link to="/login">Log in</Link>
      </p>
    </section>
  );
}
