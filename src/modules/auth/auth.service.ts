import type { Viewer } from '../../auth/tokens';
import { InvalidCredentialsError } from '../../errors';
import { AuditEventType } from '../audit/audit.model';
import type { AuditLog } from '../audit/audit-log';
import type { ClientInfo } from '../session/session.model';
import type { IssuedSession, SessionService } from '../session/session.service';
import { EMAIL_MAX_LENGTH, canonicalEmail } from '../user/user.rules';
import type { LoginThrottle } from './login-throttle';
import type { NewAccount, UserService } from '../user/user.service';

/** Turns a proven identity into a session, and credentials changes into ended sessions. */
export class AuthService {
  constructor(
    private readonly users: UserService,
    private readonly sessions: SessionService,
    private readonly audit: AuditLog,
    private readonly throttle: LoginThrottle,
  ) {}

  async signUp(account: NewAccount, client: ClientInfo): Promise<IssuedSession> {
    const user = await this.users.register(account);
    const issued = await this.sessions.open(user, client);
    await this.audit.record(AuditEventType.SIGNED_UP, { userId: user.id, sessionId: issued.sessionId, client });
    return issued;
  }

  async login(email: string, password: string, client: ClientInfo): Promise<IssuedSession> {
    const subject = canonicalEmail(email).slice(0, EMAIL_MAX_LENGTH);
    await this.throttle.check(subject, client);
    let user;
    try {
      user = await this.users.authenticate(email, password);
    } catch (error) {
      if (error instanceof InvalidCredentialsError) {
        await this.audit.record(AuditEventType.LOGIN_FAILED, {
          userId: error.userId,
          client,
          subject,
          details: { email: subject },
        });
      }
      throw error;
    }
    const issued = await this.sessions.open(user, client);
    await this.audit.record(AuditEventType.LOGIN_SUCCEEDED, {
      userId: user.id,
      sessionId: issued.sessionId,
      client,
      subject,
    });
    return issued;
  }

  refresh(refreshToken: string, client: ClientInfo): Promise<IssuedSession> {
    return this.sessions.refresh(refreshToken, client);
  }

  /** Someone who knows the old password may have sessions elsewhere: all but this one end. */
  async changePassword(
    viewer: Viewer,
    currentPassword: string,
    newPassword: string,
    client: ClientInfo,
  ): Promise<void> {
    await this.users.changePassword(viewer.id, currentPassword, newPassword);
    const ended = await this.sessions.end({ userId: viewer.id, exceptSessionId: viewer.sessionId }, 'password_changed');
    await this.audit.record(AuditEventType.PASSWORD_CHANGED, {
      userId: viewer.id,
      sessionId: viewer.sessionId,
      client,
      details: { sessionsEnded: ended.length },
    });
  }
}
