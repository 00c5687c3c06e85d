import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { useMutation } from '@apollo/client/react';
import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { PageHeading } from '../components/page-heading';
import { ProblemAlert } from '../components/problem-alert';
import { TextField } from '../components/text-field';
import { useFormProblem } from '../components/use-form-problem';
import { FormInputError } from '../errors/describe-error';
import { graphql } from '../generated';
import { useLinkToken } from './link-token';
import { PasswordRules } from './password-rules';
import './accounts.css';

const ResetPasswordMutation = graphql(`
  mutation ResetMyPassword($token: String!, $newPassword: String!) {
    resetPassword(token: $token, newPassword: $newPassword)
  }
`);

/**
 * The page a reset link opens: a new password, twice, with the rules shown as they are met.
 * The server ends every session of the account, so the person logs in afresh afterwards.
 */
export function ResetPasswordPage() {
  const token = useLinkToken();
  const form = useRef<HTMLFormElement>(null);
  const { alert, inputProblem, report, clear } = useFormProblem(form);
  const [resetPassword, { loading }] = useMutation(ResetPasswordMutation, { fetchPolicy: 'no-cache' });
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const [linkDead, setLinkDead] = useState(!token);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const newPassword = String(data.get('newPassword'));
    clear();
    if (newPassword !== String(data.get('confirmPassword'))) {
      report(new FormInputError('confirmPassword', 'The two passwords are not the same.'));
      return;
    }
    try {
      await resetPassword({ variables: { token: token!, newPassword } });
      setDone(true);
    } catch (error) {
      report(error);
      // A dead link stays dead: offer a new one instead of the form.
      if (isDeadLink(error)) setLinkDead(true);
    }
  }

  return (
    <section className="card narrow">
      <PageHeading>Choose a new password</PageHeading>
      <ProblemAlert problem={alert} />
      {done ? (
        <>
          <p role="status" className="success">
            Your password was changed, and you were signed out everywhere. Log in with your new password.
          </p>
          <p>
            <Link to="/login">Log in</Link>
          </p>
        </>
      ) : linkDead ? (
        <>
          {alert ? null : <p>This link is invalid or has expired. Please ask for a new one.</p>}
          <p>
            <Link to="/forgot-password">Ask for a new link</Link>
          </p>
        </>
      ) : (
        <form ref={form} name="reset-password" onSubmit={submit} noValidate aria-busy={loading}>
          <TextField
            label="New password"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            hint="8 to 128 characters."
            required
            value={password}
            onChange={(event) => setPassword(event.currentTarget.value)}
            problem={inputProblem('newPassword')}
          />
          <PasswordRules id="reset-password-rules" password={password} />
          <TextField
            label="New password, again"
            name="confirmPassword"
            type="password"
            autoComplete="new-password"
            required
            problem={inputProblem('confirmPassword')}
          />
          <button type="submit" disabled={loading}>
            {loading ? 'Saving…' : 'Set the new password'}
          </button>
        </form>
      )}
    </section>
  );
}

function isDeadLink(error: unknown): boolean {
  return CombinedGraphQLErrors.is(error) && error.errors.some((e) => e.extensions?.reason === 'EMAIL_TOKEN_INVALID');
}
