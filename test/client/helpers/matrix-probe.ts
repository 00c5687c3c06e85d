import { Arg, ID, Query, Resolver } from 'type-graphql';
import { Public } from '../../../src/auth/policies';
import { toConnection } from '../../../src/graphql/connection';
import { defineModule, type Services, type TollgateModule } from '../../../src/modules/module';
import { AuditEventConnection } from '../../../src/modules/audit/audit.type';
import type { PasskeyRecord } from '../../../src/modules/passkeys/passkey.model';
import { PasskeyRepository } from '../../../src/modules/passkeys/passkey.repository';
import { Passkey, PasskeyCeremonyOptions, PasskeyLoginOptions } from '../../../src/modules/passkeys/passkey.type';
import { Session } from '../../../src/modules/session/session.type';
import {
  ReauthenticatePayload,
  RecoveryCodes,
  TotpEnrollment,
  TwoFactorStatus,
} from '../../../src/modules/two-factor/two-factor.types';
import { UserConnection } from '../../../src/modules/user/user-connection.type';
import { User } from '../../../src/modules/user/user.type';
import type { UserRecord } from '../../../src/modules/user/user.model';

/**
 * Public root fields that hand out the app's objects to anyone, so the permission matrix can
 * ask the server about every field of a type for every viewer, anonymous included: through
 * the app's own roots, an anonymous caller never reaches a User or a Session at all. The
 * objects come from the real services, and every field of them keeps the policy the app
 * declares: only the way in is opened, never a field.
 */
@Resolver()
class MatrixProbeResolver {
  constructor(
    private readonly services: Services,
    private readonly passkeys: PasskeyRepository,
  ) {}

  @Public()
  @Query(() => User, { nullable: true })
  matrixUser(@Arg('id', () => ID) id: string): Promise<UserRecord | null> {
    return this.services.users.findById(id);
  }

  @Public()
  @Query(() => [Session])
  async matrixSessions(@Arg('userId', () => ID) userId: string): Promise<Session[]> {
    const open = await this.services.sessions.listOpen(userId);
    return open.map((session) => ({
      id: session.id,
      userId: session.userId,
      createdAt: session.createdAt,
      lastUsedAt: session.lastUsedAt,
      expiresAt: session.expiresAt,
      userAgent: session.userAgent,
      ip: session.ip,
      current: false,
    }));
  }

  @Public()
  @Query(() => AuditEventConnection)
  async matrixAuditEvents(@Arg('userId', () => ID) userId: string): Promise<AuditEventConnection> {
    const page = await this.services.auditEvents.list(5, null, userId);
    return toConnection(page.events, page.hasNextPage, (event) => ({ time: event.at.getTime(), id: event.id }));
  }

  // The two-factor answers are built here, not by the service: their fields' policies are all
  // that is asked about, and the only ways in (SIGNED_IN mutations, User.twoFactor) are guarded.
  @Public()
  @Query(() => TotpEnrollment)
  matrixTotpEnrollment(): TotpEnrollment {
    return { secret: 'JBSWY3DPEHPK3PXP', otpauthUri: 'otpauth://totp/matrix', qrCodeSvg: '<svg/>', expiresIn: 600 };
  }

  @Public()
  @Query(() => RecoveryCodes)
  matrixRecoveryCodes(): RecoveryCodes {
    return { codes: ['AAAAA-BBBBB'] };
  }

  @Public()
  @Query(() => TwoFactorStatus)
  matrixTwoFactorStatus(): TwoFactorStatus {
    return { enabled: false, recoveryCodesLeft: 0 };
  }

  @Public()
  @Query(() => ReauthenticatePayload)
  matrixReauthenticatePayload(): ReauthenticatePayload {
    return { accessToken: 'not-a-token', tokenType: 'Bearer', expiresIn: 900 };
  }

  // The rows registered through the real ceremony: the service lists only the caller's own.
  @Public()
  @Query(() => [Passkey])
  matrixPasskeys(@Arg('userId', () => ID) userId: string): Promise<PasskeyRecord[]> {
    return this.passkeys.listByUser(userId);
  }

  // Built here as the two-factor answers are: the options' content is not what is asked about.
  @Public()
  @Query(() => PasskeyCeremonyOptions)
  matrixPasskeyCeremonyOptions(): PasskeyCeremonyOptions {
    return { options: '{}', expiresIn: 300 };
  }

  @Public()
  @Query(() => PasskeyLoginOptions)
  matrixPasskeyLoginOptions(): PasskeyLoginOptions {
    return { options: '{}', expiresIn: 300 };
  }

  @Public()
  @Query(() => UserConnection)
  async matrixUsers(): Promise<UserConnection> {
    const page = await this.services.users.list(5, null);
    return toConnection(page.users, page.hasNextPage, (user) => ({ time: user.createdAt.getTime(), id: user.id }));
  }
}

/** A module per test server: the passkey rows are read from that server's own database. */
export function matrixProbeModule(): TollgateModule {
  let passkeys: PasskeyRepository | null = null;
  return defineModule({
    name: 'matrix-probe',
    createServices({ database }) {
      passkeys = new PasskeyRepository(database.db, database.dialect);
      return {};
    },
    createResolvers(services) {
      if (!passkeys) throw new Error('matrix-probe: resolvers asked for before its services were built');
      return [new MatrixProbeResolver(services, passkeys)];
    },
  });
}
