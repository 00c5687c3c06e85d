import { defineModule } from '../module';
import { AuditLog } from './audit-log';
import { AuditRepository } from './audit.repository';
import * as loginThrottling from './migrations/0003_login_throttling';
import * as forgetAttemptedEmails from './migrations/0006_forget_attempted_emails';

declare module '../module' {
  interface Services {
    /** Records security events. */
    readonly audit: AuditLog;
    /** Reads them back (ADMIN's `auditEvents`). */
    readonly auditEvents: AuditRepository;
  }
}

/** The audit log: security events, never a secret. (Its table is created by the session module's 0002.) */
export const auditModule = defineModule({
  name: 'audit',
  migrations: { '0003_login_throttling': loginThrottling, '0006_forget_attempted_emails': forgetAttemptedEmails },
  createServices({ database, now }) {
    const auditEvents = new AuditRepository(database.db);
    return { auditEvents, audit: new AuditLog(auditEvents, now) };
  },
});
