import type { ClientInfo } from '../../auth/client-info';
import { keyedHash } from '../../auth/keyed-hash';
import { throttlingAddress } from '../../auth/throttling-address';
import type { AuditEventType } from '../audit/audit.model';
import type { AuditLog } from '../audit/audit-log';
import type { AttemptLimiter, AttemptRule } from '../credentials/attempt-limiter';
import { validEmail } from '../user/user.rules';
import type { PreparedMail } from './account-mail';
import { TOKEN_LIFETIME_MS, type AccountTokenCrypto } from './account-tokens';
import type { AccountTokenRepository } from './account-tokens.repository';

export interface MailLinkDeps {
  readonly tokens: AccountTokenRepository;
  readonly crypto: AccountTokenCrypto;
  readonly audit: AuditLog;
  readonly limiter: AttemptLimiter;
  readonly auditKey: Buffer;
  readonly now: () => number;
}

export interface MailLinkRequest {
  readonly purpose: 'verify_email' | 'password_reset';
  readonly rules: Readonly<Record<'perEmail' | 'perIp', AttemptRule>>;
  readonly auditType: AuditEventType;
  readonly compose: (email: string, token: string) => PreparedMail;
}

/**
 * "Mail a link to this address" (resendVerification, requestPasswordReset), the same for an
 * account's address and any other: throttled per IP and per address, counting every call; one
 * token row written either way (an unknown address's can never be used), so both cost the same
 * writes and time; the message rendered either way and sent only to an account; one audit row.
 */
export async function mailLinkToAddress(
  deps: MailLinkDeps,
  request: MailLinkRequest,
  rawEmail: string,
  client: ClientInfo,
): Promise<void> {
  const email = validEmail(rawEmail);
  await deps.limiter.reserve([
    { rule: request.rules.perIp, subject: throttlingAddress(client.ip) },
    { rule: request.rules.perEmail, subject: email },
  ]);
  const token = deps.crypto.generate();
  const now = deps.now();
  const userId = await deps.tokens.issueForAddress({
    purpose: request.purpose,
    email,
    tokenHash: deps.crypto.hash(request.purpose, token),
    now,
    expiresAt: now + TOKEN_LIFETIME_MS[request.purpose],
  });
  const message = request.compose(email, token);
  if (userId !== null) message.deliver();
  await deps.audit.record(request.auditType, {
    userId,
    client,
    details: userId ? {} : { emailHash: keyedHash(deps.auditKey, email) },
  });
}
