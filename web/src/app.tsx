import { useSession } from '@tollgate/client/react';
import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { ForgotPasswordPage } from './accounts/forgot-password-page';
import { ResetPasswordPage } from './accounts/reset-password-page';
import { ArticlesPage } from './articles/articles-page';
import { VerifyEmailPage } from './accounts/verify-email-page';
import { Layout } from './components/layout';
import { LoginPage } from './pages/login-page';
import { NotFoundPage } from './pages/not-found-page';
import { PasskeysPage } from './passkeys/passkeys-page';
import { RestoringPage } from './pages/restoring-page';
import { SignUpPage } from './pages/sign-up-page';
import { ProfilePage } from './profile/profile-page';
import { RequireAdmin, RequireSignedIn, RequireSignedOut } from './routing/guards';
import { SessionsPage } from './sessions/sessions-page';
import { TwoFactorPage } from './two-factor/two-factor-page';

// The admin area is its own chunk: most visitors may never open it, so they never download it.
const AdminUsersPage = lazy(() => import('./admin/admin-users-page').then((m) => ({ default: m.AdminUsersPage })));
const AuditLogPage = lazy(() => import('./admin/audit-log-page').then((m) => ({ default: m.AuditLogPage })));

export function App() {
  const session = useSession();
  if (session.status === 'restoring') return <RestoringPage />;
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<Navigate to={session.status === 'signedIn' ? '/profile' : '/login'} replace />} />
        <Route element={<RequireSignedOut />}>
          <Route path="login" element={<LoginPage />} />
          <Route path="signup" element={<SignUpPage />} />
          <Route path="forgot-password" element={<ForgotPasswordPage />} />
        </Route>
        {/* Links from messages: they work signed in or not. */}
        <Route path="verify-email" element={<VerifyEmailPage />} />
        <Route path="reset-password" element={<ResetPasswordPage />} />
        <Route element={<RequireSignedIn />}>
          <Route path="profile" element={<ProfilePage />} />
          <Route path="sessions" element={<SessionsPage />} />
          <Route path="passkeys" element={<PasskeysPage />} />
          <Route path="two-factor" element={<TwoFactorPage />} />
          <Route path="articles" element={<ArticlesPage />} />
          <Route path="admin" element={<RequireAdmin />}>
            <Route index element={<Navigate to="users" replace />} />
            <Route path="users" element={<Lazy page={<AdminUsersPage />} />} />
            <Route path="audit" element={<Lazy page={<AuditLogPage />} />} />
          </Route>
        </Route>
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

function Lazy({ page }: { page: ReactNode }) {
  return <Suspense fallback={<p aria-live="polite">Loading…</p>}>{page}</Suspense>;
}
