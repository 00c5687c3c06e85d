import { Link } from 'react-router';
import { PageHeading } from '../components/page-heading';

export function NotAllowedPage() {
  return (
    <section className="card narrow" data-testid="not-allowed">
      <PageHeading>Not allowed</PageHeading>
      <p>Your account is not allowed to see this page. Only administrators can.</p>
      <p>
        If you think you should have access, ask an administrator. <Link to="/profile">Back to your profile</Link>
      </p>
    </section>
  );
}
