import { useQuery } from '@apollo/client/react';
import { PageHeading } from '../components/page-heading';
import { QueryProblem } from '../components/query-problem';
import { graphql } from '../generated';
import { ChangeEmailForm } from './change-email-form';
import { ChangePasswordForm } from './change-password-form';
import { EmailStatus } from './email-status';
import { ProfileDetails } from './profile-details';

const ProfileQuery = graphql(`
  query Profile {
    me {
      id
      ...ProfileDetails_user
      ...EmailStatus_user
    }
  }
`);

export function ProfilePage() {
  // cache-and-network: coming back to the profile shows what the server says now (new roles).
  const { data, error, refetch } = useQuery(ProfileQuery, { fetchPolicy: 'cache-and-network' });
  return (
    <section>
      <PageHeading>Your profile</PageHeading>
      {error ? <QueryProblem error={error} retry={() => void refetch()} /> : null}
      {data?.me ? (
        <div className="card">
          <ProfileDetails user={data.me} />
          <EmailStatus user={data.me} />
          <button type="button" className="secondary" onClick={() => void refetch()}>
            Reload profile
          </button>
        </div>
      ) : !error ? (
        <p aria-live="polite">Loading your profile…</p>
      ) : null}
      <ChangePasswordForm />
      <ChangeEmailForm />
    </section>
  );
}
