import { useMutation } from '@apollo/client/react';
import { useTollgate } from '@tollgate/client/react';
import { useState } from 'react';
import { ProblemAlert } from '../components/problem-alert';
import type { ProblemDescription } from '../errors/describe-error';
import { graphql } from '../generated';
import { answerWithPasskey, describePasskeyProblem, passkeysSupported } from './passkey-ceremony';
import './passkeys.css';

const StartLoginMutation = graphql(`
  mutation StartMyPasskeyLogin {
    startPasskeyLogin {
      options
    }
  }
`);

// Cookie mode, and no token asked for: the session reaches this page through the refresh
// cookie, as on page load, so the access token is never in the Apollo cache.
const FinishLoginMutation = graphql(`
  mutation FinishMyPasskeyLogin($response: String!) {
    finishPasskeyLogin(response: $response, useCookie: true) {
      tokenType
    }
  }
`);

/** "Sign in with a passkey": no email asked; the browser offers the passkeys it holds for this site. */
export function PasskeySignIn(props: { onSignedIn: () => void }) {
  const tollgate = useTollgate();
  const [startLogin] = useMutation(StartLoginMutation, { fetchPolicy: 'no-cache' });
  const [finishLogin] = useMutation(FinishLoginMutation, { fetchPolicy: 'no-cache' });
  const [problem, setProblem] = useState<ProblemDescription | null>(null);
  const [busy, setBusy] = useState(false);
  if (!passkeysSupported()) return null;

  async function signIn() {
    setBusy(true);
    setProblem(null);
    try {
      const started = await startLogin();
      const options = started.data?.startPasskeyLogin.options;
      if (!options) throw new Error('no options');
      await finishLogin({ variables: { response: await answerWithPasskey(options) } });
      const state = await tollgate.restore();
      if (state.status !== 'signedIn') throw new Error('no session after a passkey login');
      props.onSignedIn();
    } catch (error) {
      setProblem(describePasskeyProblem(error));
      setBusy(false);
    }
  }

  return (
    <div className="passkey-sign-in">
      <p className="passkey-sign-in__lead">Or, with no email and no password:</p>
      <ProblemAlert problem={problem} />
      <button type="button" className="secondary" onClick={() => void signIn()} disabled={busy} aria-busy={busy}>
        {busy ? 'Waiting for your passkey…' : 'Sign in with a passkey'}
      </button>
    </div>
  );
}
