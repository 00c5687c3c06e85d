import { useEffect, useRef, useState } from 'react';

/**
 * Ten recovery codes, shown this once: the server keeps only their hashes. Copy and download
 * happen in the browser (nothing is sent anywhere); the person says when they saved them.
 */
export function RecoveryCodes(props: { codes: readonly string[]; onSaved: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const [copied, setCopied] = useState('');
  const text = `Tollgate recovery codes (each works once)\n\n${props.codes.join('\n')}\n`;
  // Made once per set of codes, released when they leave the screen.
  const [downloadUrl] = useState(() => URL.createObjectURL(new Blob([text], { type: 'text/plain' })));
  useEffect(() => () => URL.revokeObjectURL(downloadUrl), [downloadUrl]);
  useEffect(() => heading.current?.focus(), []);

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('The codes were copied.');
    } catch {
      setCopied('Copying is not allowed here: select the codes and copy them, or download them.');
    }
  }

  return (
    <div className="card" data-testid="recovery-codes">
      <h2 ref={heading} tabIndex={-1}>
        Your recovery codes
      </h2>
      <p>
        If you lose your authenticator, each of these codes lets you log in once. Keep them somewhere safe: this is the
        only time they are shown.
      </p>
      <ul className="recovery-codes" aria-label="Recovery codes">
        {props.codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <p role="status" className="success">
        {copied}
      </p>
      <div className="button-row">
        <button type="button" className="secondary" onClick={() => void copy()}>
          Copy the codes
        </button>
        <a className="button secondary" href={downloadUrl} download="tollgate-recovery-codes.txt">
          Download the codes
        </a>
        <button type="button" onClick={props.onSaved}>
          I saved them
        </button>
      </div>
    </div>
  );
}
