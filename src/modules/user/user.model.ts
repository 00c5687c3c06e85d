import type { Role } from '../../auth/roles';

/** A user as the services see it. The password hash never travels with it. */
export interface UserRecord {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly roles: readonly Role[];
  readonly disabled: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly lastLoginAt: Date | null;
  /** Whether the current address was proven by following a link sent to it. */
  readonly emailVerified: boolean;
  /** Bumped by every role change; access tokens carry it. */
  readonly rolesVersion: number;
  /** Bumped by a password change or a disable; sessions carry the one they were opened with. */
  readonly credentialsVersion: number;
}

export interface UserCredentials {
  readonly user: UserRecord;
  readonly passwordHash: string;
}

export interface UserPage {
  readonly users: readonly UserRecord[];
  readonly hasNextPage: boolean;
}

export type { KeysetPosition as UserCursor } from '../../db/keyset';
