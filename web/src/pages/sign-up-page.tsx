import { useTollgate } from '@tollgate/client/react';
import { useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { PageHeading } from '../components/page-heading';
import { ProblemAlert } from '../components/problem-alert';
import { TextField } from '../components/text-field';
import { useFormProblem } from '../components/use-form-problem';

export function SignUpPage() {
  const tollgate = useTollgate();
  const navigate = useNavigate();
  const form = useRef<HTMLFormElement>(null);
  const { alert, inputProblem, report, clear } = useFormProblem(form);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setBusy(true);
    clear();
    try {
      await tollgate.signUp({
        email: String(data.get('email')),
        password: String(data.get('password')),
        displayName: String(data.get('displayName')),
      });
      void navigate('/profile', { replace: true });
    } catch (error) {
      report(error);
      setBusy(false);
    }
  }

  return (
    <section className="card narrow">
      <PageHeading>Create an account</PageHeading>
      <ProblemAlert problem={alert} />
      <form ref={form} name="signup" onSubmit={submit} noValidate aria-busy={busy}>
        <TextField
          label="Name"
          name="displayName"
          autoComplete="name"
          hint="How others see you, 1 to 64 characters."
          required
          maxLength={64}
          problem={inputProblem('displayName')}
        />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          required
          problem={inputProblem('email')}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint="8 to 128 characters."
          required
          problem={inputProblem('password')}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
      <p>
        Already have an account? <Link to="/login">Log in</Link>
      </p>
    </section>
  );
}
