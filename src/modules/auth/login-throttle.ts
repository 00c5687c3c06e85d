import type { LoginThrottleConfig } from '../../config';
import { BusyError } from '../../errors';
import { AuditEventType } from '../audit/audit.model';
import type { AuditRepository } from '../audit/audit.repository';
import type { ClientInfo } from '../session/session.model';

/**
 * Brakes on password guessing, decided before any argon2 work. Failures are counted
 * per (email, IP) and per IP from the audit log, for known and unknown emails alike,
 * so being throttled says nothing about whether an account exists. Keying the
 * per-email brake by IP too keeps a stranger from locking a user out from elsewhere.
 */
export class LoginThrottle {
  constructor(
    private readonly events: AuditRepository,
    private readonly config: LoginThrottleConfig,
    private readonly now: () => number,
  ) {}

  async check(email: string, client: ClientInfo): Promise<void> {
    if (client.ip === null) return;
    const since = this.now() - this.config.windowSeconds * 1000;
    const [forPair, forIp] = await Promise.all([
      this.events.countSince(AuditEventType.LOGIN_FAILED, since, client.ip, email),
      this.events.countSince(AuditEventType.LOGIN_FAILED, since, client.ip),
    ]);
    if (forPair >= this.config.maxFailuresPerEmailAndIp || forIp >= this.config.maxFailuresPerIp) {
      throw new BusyError(this.config.windowSeconds, 'Too many failed logins; try again later.');
    }
  }
}
