import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { useMutation, useQuery } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { PageHeading } from '../components/page-heading';
import { ProblemAlert } from '../components/problem-alert';
import { QueryProblem } from '../components/query-problem';
import { TextField } from '../components/text-field';
import type { ProblemDescription } from '../errors/describe-error';
import { getFragmentData, graphql } from '../generated';
import type { ChangeProof } from '../two-factor/confirm-change-form';
import { secondFactorFrom } from '../two-factor/second-factor-input';
import { createPasskey, describePasskeyProblem, passkeysSupported } from './passkey-ceremony';
import { PasskeyRow, PasskeyRowFragment } from './passkey-row';
import { PasskeyStepUpForm } from './passkey-step-up-form';
import './passkeys.css';

const MyPasskeysQuery = graphql(`
  query MyPasskeyList {
    myPasskeys {
      id
      ...PasskeyRow_passkey
    }
    me {
      id
      twoFactor {
        enabled
      }
    }
  }
`);

const StartRegistrationMutation = graphql(`
  mutation StartMyPasskeyRegistration($currentPassword: String!, $code: String, $recoveryCode: String) {
    startPasskeyRegistration(currentPassword: $currentPassword, code: $code, recoveryCode: $recoveryCode) {
      options
    }
  }
`);

const FinishRegistrationMutation = graphql(`
  mutation FinishMyPasskeyRegistration($response: String!, $name: String) {
    finishPasskeyRegistration(response: $response, name: $name) {
      id
      ...PasskeyRow_passkey
    }
  }
`);

const RenameMutation = graphql(`
  mutation RenameMyPasskey($id: ID!, $name: String!) {
    renamePasskey(id: $id, name: $name) {
      id
      ...PasskeyRow_passkey
    }
  }
`);

const RemoveMutation = graphql(`
  mutation RemoveMyPasskey($id: ID!) {
    removePasskey(id: $id)
  }
`);

/** The signed-in user's passkeys: add one (the browser's own prompt), rename, remove. */
export function PasskeysPage() {
  const { data, error, refetch } = useQuery(MyPasskeysQuery, { fetchPolicy: 'cache-and-network' });
  // Options and answers are single-use: never cached.
  const [startRegistration] = useMutation(StartRegistrationMutation, { fetchPolicy: 'no-cache' });
  const [finishRegistration] = useMutation(FinishRegistrationMutation, {
    refetchQueries: ['MyPasskeyList'],
    awaitRefetchQueries: true,
  });
  const [renamePasskey] = useMutation(RenameMutation);
  const [removePasskey] = useMutation(RemoveMutation, {
    refetchQueries: ['MyPasskeyList'],
    awaitRefetchQueries: true,
  });
  const [problem, setProblem] = useState<ProblemDescription | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  // An action the server wants a fresh sign-in for (STEP_UP_REQUIRED): asked again once confirmed.
  const [stepUp, setStepUp] = useState<{ action: string; retry: () => void } | null>(null);
  const supported = passkeysSupported();

  /** Runs one action; a STEP_UP_REQUIRED answer asks for the password, then runs it again. */
  async function run(action: string, work: () => Promise<string>): Promise<boolean> {
    setBusy(true);
    setProblem(null);
    setStatus('');
    try {
      setStatus(await work());
      setStepUp(null);
      return true;
    } catch (caught) {
      if (stepUpRequired(caught)) setStepUp({ action, retry: () => void run(action, work) });
      else setProblem(describePasskeyProblem(caught));
      return false;
    } finally {
      setBusy(false);
    }
  }

  // The password (and a code) are checked by the server in this very call: a session taken
  // over without them cannot add a passkey.
  const addPasskey = (name: string, proof: ChangeProof) =>
    run('add a passkey', async () => {
      const started = await startRegistration({ variables: proof });
      const options = started.data?.startPasskeyRegistration.options;
      if (!options) throw new Error('no options');
      const response = await createPasskey(options);
      await finishRegistration({ variables: { response, name: name.trim() === '' ? null : name } });
      return 'Your passkey was added. You can now log in with it.';
    });

  const rename = (id: string, name: string) =>
    run('rename the passkey', async () => {
      await renamePasskey({ variables: { id, name } });
      return 'The passkey was renamed.';
    });

  const remove = (id: string, name: string) =>
    run(`remove the passkey “${name}”`, async () => {
      const result = await removePasskey({ variables: { id } });
      return result.data?.removePasskey ? `The passkey “${name}” was removed.` : 'That passkey was already removed.';
    });

  const passkeys = data?.myPasskeys ?? [];
  return (
    <section>
      <PageHeading>Your passkeys</PageHeading>
      <p>
        A passkey signs you in with your device’s screen lock or a security key instead of your password. It counts as
        two factors.
      </p>
      <ProblemAlert problem={problem} />
      <p role="status" className="success">
        {status}
      </p>
      {stepUp ? (
        <PasskeyStepUpForm action={stepUp.action} onConfirmed={stepUp.retry} onCancel={() => setStepUp(null)} />
      ) : null}
      {error ? <QueryProblem error={error} retry={() => void refetch()} /> : null}
      {data ? (
        passkeys.length > 0 ? (
          <ul className="list" aria-label="Passkeys">
            {passkeys.map((passkey) => {
              const { id, name } = getFragmentData(PasskeyRowFragment, passkey);
              return (
                <PasskeyRow
                  key={id}
                  passkey={passkey}
                  busy={busy}
                  onRename={(newName) => rename(id, newName)}
                  onRemove={() => void remove(id, name)}
                />
              );
            })}
          </ul>
        ) : (
          <p>You have no passkeys yet.</p>
        )
      ) : !error ? (
        <p aria-live="polite">Loading your passkeys…</p>
      ) : null}
      <AddPasskeyForm
        supported={supported}
        busy={busy}
        withCode={data?.me?.twoFactor?.enabled === true}
        onAdd={addPasskey}
      />
    </section>
  );
}

function AddPasskeyForm(props: {
  supported: boolean;
  busy: boolean;
  /** Two-factor is on: a code (or a recovery code) is asked with the password. */
  withCode: boolean;
  onAdd: (name: string, proof: ChangeProof) => Promise<boolean>;
}) {
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const second = props.withCode ? secondFactorFrom(String(data.get('code') ?? '')) : null;
    const proof: ChangeProof = { currentPassword: String(data.get('password') ?? ''), ...second };
    if (await props.onAdd(String(data.get('name') ?? ''), proof)) form.reset();
  }
  return (
    <div className="card">
      <h2>Add a passkey</h2>
      {props.supported ? (
        <form name="add-passkey" onSubmit={submit} aria-busy={props.busy}>
          <div className="field">
            <label htmlFor="passkey-name">Name (optional)</label>
            <p id="passkey-name-hint" className="field__hint">
              So you can tell your passkeys apart, such as “Work laptop”.
            </p>
            <input id="passkey-name" name="name" maxLength={60} aria-describedby="passkey-name-hint" />
          </div>
          <p>Confirm it’s you: enter your password{props.withCode ? ', and a code' : ''}.</p>
          <TextField
            label="Current password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
          />
          {props.withCode ? (
            <TextField
              label="Authentication code"
              name="code"
              hint="The 6 digits your authenticator app shows, or one of your recovery codes."
              autoComplete="one-time-code"
              spellCheck={false}
              required
            />
          ) : null}
          <button type="submit" disabled={props.busy}>
            {props.busy ? 'Waiting for your device…' : 'Add a passkey'}
          </button>
        </form>
      ) : (
        <p>This browser cannot create passkeys.</p>
      )}
    </div>
  );
}

function stepUpRequired(error: unknown): boolean {
  return CombinedGraphQLErrors.is(error) && error.errors.some((e) => e.extensions?.reason === 'STEP_UP_REQUIRED');
}
