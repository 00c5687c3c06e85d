import { useMutation } from '@apollo/client/react';
import { useViewer } from '@tollgate/client/react';
import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { describeError, type ProblemDescription } from '../errors/describe-error';
import { getFragmentData, graphql, type FragmentType } from '../generated';
import { useStepUp } from '../step-up/step-up';
import type { Role } from '../generated/graphql';
import { ROLE_CHOICES, highestRole } from './roles';

export const AdminUserRowFragment = graphql(`
  fragment AdminUserRow_user on User {
    id
    displayName
    email
    roles
    disabled
  }
`);

const SetRolesMutation = graphql(`
  mutation AdminSetUserRoles($userId: ID!, $roles: [Role!]!) {
    setUserRoles(userId: $userId, roles: $roles) {
      id
      roles
    }
  }
`);

const SetDisabledMutation = graphql(`
  mutation AdminSetUserDisabled($userId: ID!, $disabled: Boolean!) {
    setUserDisabled(userId: $userId, disabled: $disabled) {
      id
      disabled
    }
  }
`);

interface AdminUserRowProps {
  readonly user: FragmentType<typeof AdminUserRowFragment>;
  readonly onDone: (message: string) => void;
  readonly onProblem: (problem: ProblemDescription) => void;
}

export function AdminUserRow(props: AdminUserRowProps) {
  const user = getFragmentData(AdminUserRowFragment, props.user);
  const viewer = useViewer();
  const selectId = useId();
  const current = highestRole(user.roles);
  const [chosen, setChosen] = useState<Role>(current);
  const [setRoles, roles] = useMutation(SetRolesMutation);
  const [setDisabled, disabling] = useMutation(SetDisabledMutation);
  // Both changes need a sign-in of the last 10 minutes (the server's @recentAuth).
  const withStepUp = useStepUp();
  const who = user.email ?? user.displayName;

  async function saveRole(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    try {
      await withStepUp(() => setRoles({ variables: { userId: user.id, roles: [chosen] } }));
      props.onDone(`${who} is now ${ROLE_CHOICES.find((c) => c.role === chosen)?.label ?? chosen}.`);
    } catch (error) {
      setChosen(current);
      props.onProblem(describeError(error));
    }
  }

  async function toggleDisabled() {
    const disabled = !user.disabled;
    try {
      await withStepUp(() => setDisabled({ variables: { userId: user.id, disabled } }));
      props.onDone(disabled ? `${who} is disabled and signed out everywhere.` : `${who} can log in again.`);
    } catch (error) {
      props.onProblem(describeError(error));
    }
  }

  return (
    <li className="list__item" data-testid="admin-user">
      <div>
        <p className="list__title">
          {user.displayName} {user.disabled ? <span className="badge badge--muted">Disabled</span> : null}
        </p>
        <p className="list__meta">
          {user.email} · {user.roles?.join(', ')}
          {user.id === viewer?.id ? ' · you' : ''}
        </p>
        <p className="list__meta">
          <Link to={`/admin/audit?user=${encodeURIComponent(user.id)}`}>
            Audit log<span className="visually-hidden"> of {who}</span>
          </Link>
        </p>
      </div>
      <div className="list__actions">
        <form className="inline-form" onSubmit={saveRole}>
          <label htmlFor={selectId}>
            Role<span className="visually-hidden"> of {who}</span>
          </label>
          <select id={selectId} value={chosen} onChange={(event) => setChosen(event.target.value as Role)}>
            {ROLE_CHOICES.map(({ role, label }) => (
              <option key={role} value={role}>
                {label}
              </option>
            ))}
          </select>
          <button type="submit" className="secondary" disabled={roles.loading || chosen === current}>
            Save role<span className="visually-hidden"> of {who}</span>
          </button>
        </form>
        <button type="button" className="secondary" disabled={disabling.loading} onClick={() => void toggleDisabled()}>
          {user.disabled ? 'Enable' : 'Disable'}
          <span className="visually-hidden"> {who}</span>
        </button>
      </div>
    </li>
  );
}
