import { ResendVerificationForm } from '../accounts/resend-verification-form';
import { getFragmentData, graphql, type FragmentType } from '../generated';

export const EmailStatusFragment = graphql(`
  fragment EmailStatus_user on User {
    email
    emailVerified
  }
`);

/** Whether the address was proven by its link, and, if not, a button for a new link. */
export function EmailStatus(props: { user: FragmentType<typeof EmailStatusFragment> }) {
  const user = getFragmentData(EmailStatusFragment, props.user);
  if (user.emailVerified === null || user.emailVerified === undefined) return null;
  return (
    <div className="email-status" data-testid="email-status">
      {user.emailVerified ? (
        <p>
          <span className="badge">Confirmed</span> Your email address is confirmed.
        </p>
      ) : (
        <>
          <p>
            <span className="badge badge--muted">Not confirmed</span> Follow the link we sent to {user.email} to confirm
            your address.
          </p>
          <ResendVerificationForm email={user.email ?? undefined} />
        </>
      )}
    </div>
  );
}
