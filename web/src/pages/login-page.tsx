import { isTollgateError, type MfaChallenge } from '@tollgate/client';
import { useTollgate } from '@tollgate/client/react';
import { useRef, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { PageHeading } from '../components/page-heading';
import { ProblemAlert } from '../components/problem-alert';
import { TextField } from '../components/text-field';
import { useFormProblem } from '../components/use-form-problem';
import { PasskeySignIn } from '../passkeys/passkey-sign-in';
import { returnPathFrom } from '../routing/return-path';
import { SecondFactorForm } from './second-factor-form';

export function LoginPage() {
  const tollgate = useTollgate();
  const navigate = useNavigate();
  const location = useLocation();
  const form = useRef<HTMLFormElement>(null);
  const { alert, inputProblem, report, clear } = useFormProblem(form);
  const [busy, setBusy] = useState(false);
  // The password was right and the account has two-factor on: the second step.
  const [challenge, setChallenge] = useState<MfaChallenge | null>(null);
  const [unverified, setUnverified] = useState(false);
  const signedIn = () => void navigate(returnPathFrom(location.state), { replace: true });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setBusy(true);
    clear();
    try {
      await tollgate.login(String(data.get('email')), String(data.get('password')));
      signedIn();
    } catch (error) {
      setBusy(false);
      if (isTollgateError(error) && error.mfa) return setChallenge(error.mfa);
      setUnverified(isTollgateError(error) && error.reason === 'EMAIL_NOT_VERIFIED');
      report(error);
    }
  }

  if (challenge) {
    return (
      <SecondFactorForm
        challenge={challenge}
        onSignedIn={signedIn}
        onRestart={(reason) => {
          setChallenge(null);
          if (reason) report(reason);
        }}
      />
    );
  }

  return (
    <section className="card narrow">
      <PageHeading>Log in</PageHeading>
      <ProblemAlert problem={alert} />
      {unverified ? (
        <p>
          <Link to="/verify-email">Send me a new confirmation link</Link>
        </p>
      ) : null}
      <form ref={form} name="login" onSubmit={submit} noValidate aria-busy={busy}>
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          required
          problem={inputProblem('email')}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          problem={inputProblem('password')}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <p>
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
      <PasskeySignIn onSignedIn={signedIn} />
      <p>
        New here? <Link to="/signup">Create an account</Link>
      </p>
    </section>
  );
}
