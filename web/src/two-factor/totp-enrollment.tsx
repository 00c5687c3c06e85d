import { useMutation } from '@apollo/client/react';
import { useId, useRef, type FormEvent } from 'react';
import { ProblemAlert } from '../components/problem-alert';
import { TextField } from '../components/text-field';
import { useFormProblem } from '../components/use-form-problem';
import { graphql } from '../generated';

const ConfirmTotpMutation = graphql(`
  mutation ConfirmMyTotp($code: String!) {
    confirmTotpEnrollment(code: $code) {
      codes
    }
  }
`);

export interface PendingEnrollment {
  readonly secret: string;
  readonly qrCodeSvg: string;
  readonly expiresIn: number;
}

/**
 * Step 2 of turning two-factor on: the QR code to scan (or the key to type), then the first
 * code the app shows, which proves the app holds the secret. Answers with the recovery codes.
 */
export function TotpEnrollment(props: {
  enrollment: PendingEnrollment;
  onConfirmed: (codes: readonly string[]) => void;
  onCancel: () => void;
}) {
  const form = useRef<HTMLFormElement>(null);
  const { alert, inputProblem, report, clear } = useFormProblem(form);
  // Recovery codes are secrets: never kept in the Apollo cache.
  const [confirm, { loading }] = useMutation(ConfirmTotpMutation, { fetchPolicy: 'no-cache' });
  const secretId = useId();
  const { secret, qrCodeSvg, expiresIn } = props.enrollment;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get('code')).replace(/\s+/g, '');
    clear();
    try {
      const result = await confirm({ variables: { code } });
      const codes = result.data?.confirmTotpEnrollment.codes;
      if (!codes) throw new Error('no recovery codes in the answer');
      props.onConfirmed(codes);
    } catch (error) {
      report(error);
    }
  }

  return (
    <div className="card">
      <h2>Set up your authenticator app</h2>
      <ol className="steps">
        <li>
          <p>Scan this QR code with the authenticator app on your phone, or with your password manager.</p>
          {/* The server's SVG as an image, never as markup: an <img> runs no script and reaches no page content. */}
          <img
            className="qr-code"
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(qrCodeSvg)}`}
            width={200}
            height={200}
            alt="QR code for your authenticator app. If you cannot scan it, type the key shown below instead."
          />
          <p id={secretId}>Can’t scan it? Type this key into the app instead:</p>
          <p>
            <code className="totp-secret" data-testid="totp-secret" aria-describedby={secretId}>
              {groupsOfFour(secret)}
            </code>
          </p>
        </li>
        <li>
          <p>Enter the 6-digit code the app now shows. This setup waits {Math.round(expiresIn / 60)} minutes.</p>
          <ProblemAlert problem={alert} />
          <form ref={form} name="confirm-totp" onSubmit={submit} noValidate aria-busy={loading}>
            <TextField
              label="Code from the app"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9 ]*"
              maxLength={7}
              required
              problem={inputProblem('code')}
            />
            <div className="button-row">
              <button type="submit" disabled={loading}>
                {loading ? 'Checking…' : 'Turn on two-factor'}
              </button>
              <button type="button" className="secondary" onClick={props.onCancel} disabled={loading}>
                Cancel
              </button>
            </div>
          </form>
        </li>
      </ol>
    </div>
  );
}

/** "JBSW Y3DP …": easier to read and type; apps ignore the spaces. */
function groupsOfFour(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}
