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
}

export interface UserCredentials {
  readonly user: UserRecord;
  readonly passwordHash: string;
}

export interface UserPage {
  readonly users: readonly UserRecord[];
  readonly hasNextPage: boolean;
}

/** Where a page starts: after this (createdAt, id). */
export interface UserCursor {
  readonly createdAt: number;
  readonly id: string;
}
