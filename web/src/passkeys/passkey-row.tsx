import { useId, useRef, useState, type FormEvent } from 'react';
import { formatDateTime } from '../format';
import { getFragmentData, graphql, type FragmentType } from '../generated';

export const PasskeyRowFragment = graphql(`
  fragment PasskeyRow_passkey on Passkey {
    id
    name
    createdAt
    lastUsedAt
    deviceType
    backedUp
  }
`);

/** One passkey: what it is, when it was last used, and its rename and remove actions. */
export function PasskeyRow(props: {
  passkey: FragmentType<typeof PasskeyRowFragment>;
  busy: boolean;
  onRename: (name: string) => Promise<boolean>;
  onRemove: () => void;
}) {
  const passkey = getFragmentData(PasskeyRowFragment, props.passkey);
  const [renaming, setRenaming] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();

  async function rename(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get('name'));
    if (await props.onRename(name)) setRenaming(false);
    else input.current?.focus();
  }

  const kind = passkey.deviceType === 'multiDevice' ? 'Synced passkey' : 'Passkey on one device';
  return (
    <li className="list__item">
      <div>
        <p className="list__title">{passkey.name}</p>
        <p className="list__meta">
          {kind}
          {passkey.backedUp ? ' (backed up)' : ''} · added {formatDateTime(passkey.createdAt)} ·{' '}
          {passkey.lastUsedAt ? `last used ${formatDateTime(passkey.lastUsedAt)}` : 'never used'}
        </p>
        {renaming ? (
          <form name="rename-passkey" className="inline-form passkey-rename" onSubmit={rename} aria-busy={props.busy}>
            <div className="field">
              <label htmlFor={inputId}>New name for {passkey.name}</label>
              <input
                id={inputId}
                ref={input}
                name="name"
                defaultValue={passkey.name}
                maxLength={60}
                required
                autoFocus
              />
            </div>
            <button type="submit" disabled={props.busy}>
              Save name
            </button>
            <button type="button" className="secondary" onClick={() => setRenaming(false)}>
              Cancel
            </button>
          </form>
        ) : null}
      </div>
      {renaming ? null : (
        <div className="list__actions">
          <button
            type="button"
            className="secondary"
            onClick={() => setRenaming(true)}
            aria-label={`Rename passkey ${passkey.name}`}
          >
            Rename
          </button>
          <button
            type="button"
            className="danger"
            onClick={props.onRemove}
            disabled={props.busy}
            aria-label={`Remove passkey ${passkey.name}`}
          >
            Remove
          </button>
        </div>
      )}
    </li>
  );
}
