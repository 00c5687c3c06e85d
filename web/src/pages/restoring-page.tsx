/**
 * While the session is being restored from the refresh cookie, nothing says signed in or
 * signed out: no login form flashes for a visitor who is about to be recognised.
 */
export function RestoringPage() {
  return (
    <div className="restoring" aria-busy="true" aria-live="polite" data-testid="restoring">
      <p>Loading…</p>
    </div>
  );
}
