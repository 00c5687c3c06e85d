import { Role } from '../../src/auth/roles';
import type { Viewer } from '../../src/auth/tokens';

/** A verified caller as the context would hold it, for tests of the pure parts. */
export function testViewer(id: string, roles: readonly Role[] = [Role.USER], overrides: Partial<Viewer> = {}): Viewer {
  return { id, roles, sessionId: 's', rolesVersion: 1, tokenId: 't', issuedAt: 0, expiresAt: 0, ...overrides };
}
