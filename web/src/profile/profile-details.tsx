import { getFragmentData, graphql, type FragmentType } from '../generated';
import { formatDateTime } from '../format';

export const ProfileDetailsFragment = graphql(`
  fragment ProfileDetails_user on User {
    displayName
    email
    roles
    createdAt
    lastLoginAt
  }
`);

export function ProfileDetails(props: { user: FragmentType<typeof ProfileDetailsFragment> }) {
  const user = getFragmentData(ProfileDetailsFragment, props.user);
  return (
    <dl className="details">
      <dt>Name</dt>
      <dd>{user.displayName}</dd>
      <dt>Email</dt>
      <dd data-testid="profile-email">{user.email}</dd>
      <dt>Roles</dt>
      <dd data-testid="profile-roles">{user.roles?.join(', ')}</dd>
      <dt>Member since</dt>
      <dd>{formatDateTime(user.createdAt)}</dd>
      <dt>Last login</dt>
      <dd>{user.lastLoginAt ? formatDateTime(user.lastLoginAt) : 'Never'}</dd>
    </dl>
  );
}
