import type { Viewer } from '../auth/tokens';

/** For resolvers behind a signed-in policy: the policy already refused anonymous callers; this narrows the type. */
export function signedIn(viewer: Viewer | null): Viewer {
  if (!viewer) throw new Error('a signed-in policy let an anonymous request through');
  return viewer;
}
