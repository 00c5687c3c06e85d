import type { Role } from '../../src/auth/roles';
import type { SignedIn, TestServer } from './test-server';

/**
 * Marks the user's address as verified straight in the database, as following the mailed
 * link would: adding a passkey or an authenticator app waits for a verified address.
 */
export async function markEmailVerified(server: TestServer, userId: string): Promise<void> {
  await server.app.services.database.db
    .updateTable('users')
    .set({ email_verified_at: server.clock.now() })
    .where('id', '=', userId)
    .execute();
}

/** `server.signIn`, for an account whose address is verified. */
export async function signInVerified(server: TestServer, email: string, roles?: readonly Role[]): Promise<SignedIn> {
  const signedIn = await server.signIn(email, roles);
  await markEmailVerified(server, signedIn.id);
  return signedIn;
}
