import { useMutation, useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { PageHeading } from '../components/page-heading';
import { QueryProblem } from '../components/query-problem';
import { graphql } from '../generated';
import { ConfirmChangeForm, type ChangeProof } from './confirm-change-form';
import { RecoveryCodes } from './recovery-codes';
import { TotpEnrollment, type PendingEnrollment } from './totp-enrollment';
import '../accounts/accounts.css';

const TwoFactorStatusQuery = graphql(`
  query MyTwoFactorStatus {
    me {
      id
      twoFactor {
        enabled
        recoveryCodesLeft
      }
    }
  }
`);

// The secret is sent once and never cached: the page holds it in memory until confirmed.
const StartTotpMutation = graphql(`
  mutation StartMyTotp($currentPassword: String!) {
    startTotpEnrollment(currentPassword: $currentPassword) {
      secret
      qrCodeSvg
      expiresIn
    }
  }
`);

const RegenerateCodesMutation = graphql(`
  mutation RegenerateMyRecoveryCodes($currentPassword: String!, $code: String, $recoveryCode: String) {
    regenerateRecoveryCodes(currentPassword: $currentPassword, code: $code, recoveryCode: $recoveryCode) {
      codes
    }
  }
`);

const DisableTotpMutation = graphql(`
  mutation DisableMyTotp($currentPassword: String!, $code: String, $recoveryCode: String) {
    disableTotp(currentPassword: $currentPassword, code: $code, recoveryCode: $recoveryCode)
  }
`);

/** The changes that ask for the password (and a code once two-factor is on) in the call itself. */
type Change = 'start' | 'regenerate' | 'disable';

const CHANGES: Readonly<Record<Change, { title: string; submitLabel: string; withCode: boolean }>> = {
  start: { title: 'Set up two-factor', submitLabel: 'Continue', withCode: false },
  regenerate: { title: 'Make new recovery codes', submitLabel: 'Make new codes', withCode: true },
  disable: { title: 'Turn off two-factor', submitLabel: 'Turn off', withCode: true },
};

type Step =
  | { kind: 'status' }
  | { kind: 'confirming'; change: Change }
  | { kind: 'enrolling'; enrollment: PendingEnrollment }
  // After turning two-factor on, or in place of the old codes.
  | { kind: 'codes'; codes: readonly string[]; replaced: boolean };

/** Two-factor authentication with an authenticator app: turn on, recovery codes, turn off. */
export function TwoFactorPage() {
  const { data, error, refetch } = useQuery(TwoFactorStatusQuery, { fetchPolicy: 'cache-and-network' });
  const secrets = { fetchPolicy: 'no-cache' as const };
  const [startTotp] = useMutation(StartTotpMutation, secrets);
  const [regenerate] = useMutation(RegenerateCodesMutation, secrets);
  const [disableTotp] = useMutation(DisableTotpMutation);
  const [step, setStep] = useState<Step>({ kind: 'status' });
  const [status, setStatus] = useState('');

  const confirm = (change: Change) => {
    setStatus('');
    setStep({ kind: 'confirming', change });
  };

  // Errors are thrown back to the form, which marks the password or code input they name.
  async function perform(change: Change, proof: ChangeProof): Promise<void> {
    if (change === 'start') {
      const result = await startTotp({ variables: { currentPassword: proof.currentPassword } });
      const enrollment = result.data?.startTotpEnrollment;
      if (!enrollment) throw new Error('no enrolment in the answer');
      setStep({ kind: 'enrolling', enrollment });
    } else if (change === 'regenerate') {
      const result = await regenerate({ variables: proof });
      const codes = result.data?.regenerateRecoveryCodes.codes;
      if (!codes) throw new Error('no recovery codes in the answer');
      setStep({ kind: 'codes', codes, replaced: true });
    } else {
      await disableTotp({ variables: proof });
      await refetch();
      setStep({ kind: 'status' });
      setStatus('Two-factor authentication is off. Logging in needs only your password now.');
    }
  }

  const twoFactor = data?.me?.twoFactor;
  return (
    <section>
      <PageHeading>Two-factor authentication</PageHeading>
      <p>
        With two-factor on, logging in with your password also asks for a code from an authenticator app on your phone,
        so a stolen password alone is not enough.
      </p>
      <p role="status" className="success">
        {status}
      </p>
      {step.kind === 'confirming' ? (
        <ConfirmChangeForm
          key={step.change}
          {...CHANGES[step.change]}
          onSubmit={(proof) => perform(step.change, proof)}
          onCancel={() => setStep({ kind: 'status' })}
        />
      ) : null}
      {step.kind === 'enrolling' ? (
        <TotpEnrollment
          enrollment={step.enrollment}
          onConfirmed={(codes) => {
            setStep({ kind: 'codes', codes, replaced: false });
            void refetch();
          }}
          onCancel={() => setStep({ kind: 'status' })}
        />
      ) : null}
      {step.kind === 'codes' ? (
        <RecoveryCodes
          codes={step.codes}
          onSaved={() => {
            setStep({ kind: 'status' });
            setStatus(
              step.replaced
                ? 'You have new recovery codes; the old ones no longer work.'
                : 'Two-factor authentication is on.',
            );
            void refetch();
          }}
        />
      ) : null}
      {error ? <QueryProblem error={error} retry={() => void refetch()} /> : null}
      {step.kind === 'status' && twoFactor ? (
        <div className="card" data-testid="two-factor-status">
          {twoFactor.enabled ? (
            <>
              <p>
                <span className="badge">On</span> Logging in asks for a code from your authenticator app.
              </p>
              <p>
                {twoFactor.recoveryCodesLeft === 1
                  ? '1 recovery code left.'
                  : `${twoFactor.recoveryCodesLeft ?? 0} recovery codes left.`}{' '}
                {(twoFactor.recoveryCodesLeft ?? 0) <= 3 ? 'Make new ones before you run out.' : ''}
              </p>
              <div className="button-row">
                <button type="button" className="secondary" onClick={() => confirm('regenerate')}>
                  Make new recovery codes
                </button>
                <button type="button" className="danger" onClick={() => confirm('disable')}>
                  Turn off two-factor
                </button>
              </div>
              <p className="field__hint">New recovery codes replace the old ones, which stop working.</p>
            </>
          ) : (
            <>
              <p>
                <span className="badge badge--muted">Off</span> Logging in needs only your password.
              </p>
              <button type="button" onClick={() => confirm('start')}>
                Set up two-factor
              </button>
            </>
          )}
        </div>
      ) : null}
      {!data && !error ? <p aria-live="polite">Loading…</p> : null}
    </section>
  );
}
