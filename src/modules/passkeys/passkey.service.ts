import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import type { Authentication } from '../../auth/authentication-methods';
import type { ClientInfo } from '../../auth/client-info';
import { throttlingAddress } from '../../auth/throttling-address';
import type { IssuedAccessToken, Viewer } from '../../auth/tokens';
import type { ThrottleConfig } from '../../config';
import {
  EmailNotVerifiedError,
  EmailNotVerifiedInputError,
  FeatureDisabledError,
  InvalidCredentialsError,
  InvalidInputError,
} from '../../errors/domain-errors';
import type { Logger } from '../../logger';
import { AuditEventType } from '../audit/audit.model';
import type { AuditLog } from '../audit/audit-log';
import type { AttemptLimiter, AttemptRule, Reservation } from '../credentials/attempt-limiter';
import type { IssuedSession, SessionService } from '../session/session.service';
import { REAUTHENTICATE_RULE, type SecondFactorInput, type TwoFactorService } from '../two-factor/two-factor.service';
import type { UserRecord } from '../user/user.model';
import type { UserRepository } from '../user/user.repository';
import { readAuthenticationResponse, readRegistrationResponse, UnreadableResponse } from './ceremony-response';
import type { PasskeyChallengeRepository } from './passkey-challenges.repository';
import type { PasskeyMail } from './passkey-mail';
import { PasskeyAuthenticationError, PasskeyRegistrationError } from './passkey.errors';
import {
  CHALLENGE_TTL_MS,
  MAX_PASSKEYS_PER_USER,
  methodOf,
  type ChallengePurpose,
  type PasskeyRecord,
} from './passkey.model';
import type { PasskeyRepository } from './passkey.repository';
import { validPasskeyName } from './passkey.rules';
import { counterRegressed, type RelyingParty, type VerifiedRegistration } from './relying-party';
import { encodedUserHandleOf, userHandleOf } from './user-handle';

export interface PasskeyServiceDeps {
  readonly passkeys: PasskeyRepository;
  readonly challenges: PasskeyChallengeRepository;
  readonly users: UserRepository;
  readonly sessions: SessionService;
  readonly audit: AuditLog;
  readonly limiter: AttemptLimiter;
  readonly throttle: ThrottleConfig;
  /** Null: passkeys are off on this server (every call answers FEATURE_DISABLED). */
  readonly relyingParty: RelyingParty | null;
  /** Keys the WebAuthn user handles (see user-handle.ts). */
  readonly userHandleKey: Buffer;
  /** REQUIRE_VERIFIED_EMAIL: no session for an unverified address, whatever proved the identity. */
  readonly requireVerifiedEmail: boolean;
  /** EMAIL_VERIFICATION or PASSWORD_RESET: no passkey is added until the account's address is proven (secondFactorsNeedProvenAddress). */
  readonly emailVerification: boolean;
  /** Proves the password (and the second factor, when on) in the call that starts a registration. */
  readonly identity: Pick<TwoFactorService, 'proveIdentity'>;
  /** Tells the owner of every passkey added. */
  readonly mail: PasskeyMail;
  readonly logger: Logger;
  readonly now: () => number;
}

/** A ceremony's options for the browser (`PublicKeyCredential*OptionsJSON`), and how long they hold. */
export interface CeremonyOptions {
  readonly options: string;
  readonly expiresInSeconds: number;
}

/**
 * Starting a ceremony stores a challenge: anonymous starts are counted per address, kept on
 * success too (a rate, not a count of failures), so nobody fills the table.
 */
const CEREMONY_STARTS_PER_IP: AttemptRule = {
  name: 'passkey-start:ip',
  limit: { max: 100, windowSeconds: 300 },
  refusal: 'Too many passkey sign-ins started from this address; try again shortly.',
};

/** The same for a signed-in user's registrations and step-ups, per user. */
const CEREMONY_STARTS_PER_USER: AttemptRule = {
  name: 'passkey-start:user',
  limit: { max: 30, windowSeconds: 300 },
  refusal: 'Too many passkey requests; try again shortly.',
};

/** Passkeys (WebAuthn): registration while signed in, discoverable login, step-up, and the list. */
export class PasskeyService {
  private readonly loginPerIp: AttemptRule;

  constructor(private readonly deps: PasskeyServiceDeps) {
    // The same counter as password logins: a second door does not double the guesses an address gets.
    this.loginPerIp = {
      name: 'login:ip',
      limit: deps.throttle.loginPerIp,
      refusal: 'Too many failed logins; try again later.',
    };
  }

  /**
   * Options for adding a passkey. A passkey signs in as two factors and outlives password
   * changes and logoutAll, so an access token alone (stolen from a fresh login) must not add
   * one: the password, and a current code when two-factor is on, are proven in the call,
   * throttled and audited as reauthenticate is. Nor does an unverified account get one: a
   * squatter's passkey would outlast the owner's recovery of the address by password reset.
   */
  async startRegistration(
    viewer: Viewer,
    currentPassword: string,
    factor: SecondFactorInput,
    client: ClientInfo,
  ): Promise<CeremonyOptions> {
    const rp = this.relyingParty();
    await this.deps.limiter.reserve([{ rule: CEREMONY_STARTS_PER_USER, subject: viewer.id }]);
    const found = await this.deps.users.findById(viewer.id);
    if (!found || found.disabled) throw new PasskeyRegistrationError('user gone or disabled');
    this.requireVerifiedEmail(found);
    const existing = await this.deps.passkeys.listByUser(found.id);
    if (existing.length >= MAX_PASSKEYS_PER_USER) {
      throw new InvalidInputError('passkeys', `An account can hold at most ${MAX_PASSKEYS_PER_USER} passkeys.`);
    }
    await this.deps.identity.proveIdentity(viewer, currentPassword, factor, client, 'start_passkey_registration');
    // Read again: the options carry the address, which may have changed while the password was checked.
    const user = await this.deps.users.findById(viewer.id);
    if (!user || user.disabled) throw new PasskeyRegistrationError('user gone or disabled');
    const challenge = await this.newChallenge('register', user.id);
    const options = await rp.registrationOptions(
      user,
      userHandleOf(this.deps.userHandleKey, user.id),
      challenge,
      existing,
    );
    return { options: JSON.stringify(options), expiresInSeconds: CHALLENGE_TTL_MS / 1000 };
  }

  /** Stores the passkey the browser made for the challenge of `startRegistration`; `name` is the user's label. */
  async finishRegistration(
    viewer: Viewer,
    rawResponse: string,
    rawName: string | null,
    client: ClientInfo,
  ): Promise<PasskeyRecord> {
    const rp = this.relyingParty();
    const name = rawName === null ? null : validPasskeyName(rawName);
    const now = this.deps.now();
    const { json, challenge } = this.refusedUnlessRead(viewer.id, () => readRegistrationResponse(rawResponse));
    const user = await this.deps.users.findById(viewer.id);
    if (!user || user.disabled) throw this.registrationRefused(viewer.id, 'user gone or disabled');
    this.requireVerifiedEmail(user);
    if (!(await this.deps.challenges.consume(hashOf(challenge), 'register', viewer.id, now))) {
      throw this.registrationRefused(viewer.id, 'no pending registration challenge');
    }
    let verified: VerifiedRegistration;
    try {
      // Every failed check of the library (origin, RP ID, type, flags, format, key) is a plain Error.
      verified = await rp.verifyRegistration(json, challenge);
    } catch (error) {
      throw this.registrationRefused(viewer.id, messageOf(error));
    }
    const passkey: PasskeyRecord = {
      id: randomUUID(),
      userId: viewer.id,
      credentialId: verified.credentialId,
      userHandle: encodedUserHandleOf(this.deps.userHandleKey, viewer.id),
      publicKey: verified.publicKey,
      signCount: verified.signCount,
      transports: verified.transports,
      deviceType: verified.deviceType,
      backedUp: verified.backedUp,
      aaguid: verified.aaguid,
      name: name ?? defaultName(verified.deviceType),
      createdAt: new Date(now),
      lastUsedAt: null,
    };
    if (!(await this.deps.passkeys.insert(passkey))) {
      throw this.registrationRefused(viewer.id, 'credential id taken, or the account holds the most passkeys');
    }
    await this.deps.audit.record(AuditEventType.PASSKEY_REGISTERED, {
      userId: viewer.id,
      sessionId: viewer.sessionId,
      client,
      details: { passkeyId: passkey.id, deviceType: passkey.deviceType, backedUp: passkey.backedUp },
    });
    await this.deps.mail.added(viewer.id, passkey.deviceType === 'multiDevice');
    return passkey;
  }

  /** Options for a discoverable login: no user named, so the browser offers whichever passkeys it holds for us. */
  async startLogin(client: ClientInfo): Promise<CeremonyOptions> {
    const rp = this.relyingParty();
    await this.deps.limiter.reserve([{ rule: CEREMONY_STARTS_PER_IP, subject: throttlingAddress(client.ip) }]);
    const challenge = await this.newChallenge('login', null);
    const options = await rp.authenticationOptions(challenge);
    return { options: JSON.stringify(options), expiresInSeconds: CHALLENGE_TTL_MS / 1000 };
  }

  /**
   * Opens a session for whoever the assertion proves, as login does. Counted per address
   * before any work, as failed password logins are (the same counter); a success is given back.
   */
  async finishLogin(rawResponse: string, client: ClientInfo): Promise<IssuedSession> {
    this.relyingParty();
    const reservation = await this.deps.limiter.reserve([
      { rule: this.loginPerIp, subject: throttlingAddress(client.ip) },
    ]);
    let issued: IssuedSession;
    let passkey: PasskeyRecord;
    try {
      const proven = await this.verifyAssertion(rawResponse, 'login', null, client);
      passkey = proven.passkey;
      const { user, authentication } = proven;
      // As login: said only after a full proof, so it tells nothing a success would not.
      if (this.deps.requireVerifiedEmail && !user.emailVerified) throw new EmailNotVerifiedError(user.id);
      try {
        // Re-checks, in the transaction that creates the session, that the user was not disabled
        // (nor their credentials changed) while the assertion was being verified.
        issued = await this.deps.sessions.open(user, client, authentication);
      } catch (error) {
        if (error instanceof InvalidCredentialsError) {
          throw new PasskeyAuthenticationError('session_refused', user.id);
        }
        throw error;
      }
    } catch (error) {
      await this.settleFailure(reservation, error, client);
      throw error;
    }
    await reservation.refund();
    await this.deps.users.recordLogin(issued.user.id, issued.user.credentialsVersion, this.deps.now());
    await this.deps.audit.record(AuditEventType.PASSKEY_LOGIN_SUCCEEDED, {
      userId: issued.user.id,
      sessionId: issued.sessionId,
      client,
      details: { passkeyId: passkey.id },
    });
    return issued;
  }

  /** Step-up with a passkey: options naming only the caller's own passkeys. */
  async startReauthentication(viewer: Viewer): Promise<CeremonyOptions> {
    const rp = this.relyingParty();
    await this.deps.limiter.reserve([{ rule: CEREMONY_STARTS_PER_USER, subject: viewer.id }]);
    const existing = await this.deps.passkeys.listByUser(viewer.id);
    if (existing.length === 0) throw new InvalidInputError('passkeys', 'This account has no passkey.');
    const challenge = await this.newChallenge('reauthenticate', viewer.id);
    const options = await rp.authenticationOptions(challenge, existing);
    return { options: JSON.stringify(options), expiresInSeconds: CHALLENGE_TTL_MS / 1000 };
  }

  /**
   * A fresh access token for the caller's session stating the passkey (two factors, now).
   * Wrong answers count against the same per-user budget as reauthenticate's passwords.
   */
  async finishReauthentication(viewer: Viewer, rawResponse: string, client: ClientInfo): Promise<IssuedAccessToken> {
    this.relyingParty();
    const reservation = await this.deps.limiter.reserve([{ rule: REAUTHENTICATE_RULE, subject: viewer.id }]);
    let token: IssuedAccessToken | null;
    let passkey: PasskeyRecord;
    try {
      const proven = await this.verifyAssertion(rawResponse, 'reauthenticate', viewer.id, client);
      passkey = proven.passkey;
      token = await this.deps.sessions.reauthenticated(viewer, proven.user.credentialsVersion, proven.authentication);
      if (!token) throw new PasskeyAuthenticationError('session_refused', viewer.id);
    } catch (error) {
      if (error instanceof PasskeyAuthenticationError) {
        await this.deps.audit.record(AuditEventType.REAUTHENTICATION_FAILED, {
          userId: viewer.id,
          sessionId: viewer.sessionId,
          client,
          details: { method: 'passkey', reason: error.why },
        });
      } else {
        await reservation.refund();
      }
      throw error;
    }
    await reservation.refund();
    await this.deps.audit.record(AuditEventType.REAUTHENTICATED, {
      userId: viewer.id,
      sessionId: viewer.sessionId,
      client,
      details: { method: 'passkey', passkeyId: passkey.id },
    });
    return token;
  }

  list(viewer: Viewer): Promise<PasskeyRecord[]> {
    return this.deps.passkeys.listByUser(viewer.id);
  }

  async rename(viewer: Viewer, id: string, rawName: string, client: ClientInfo): Promise<PasskeyRecord> {
    const name = validPasskeyName(rawName);
    const renamed = id.length <= 64 ? await this.deps.passkeys.rename(viewer.id, id, name) : null;
    // Another user's passkey is answered like a missing one.
    if (!renamed) throw new InvalidInputError('id', 'There is no passkey with this id.');
    await this.deps.audit.record(AuditEventType.PASSKEY_RENAMED, {
      userId: viewer.id,
      sessionId: viewer.sessionId,
      client,
      details: { passkeyId: id },
    });
    return renamed;
  }

  /**
   * Deletes one of the caller's passkeys: it signs nobody in from then on. Sessions it opened
   * stay open (as a password change ends other sessions, ending them is the caller's choice:
   * `revokeSession` or `logoutAll`); false when there is no such passkey of theirs.
   */
  async remove(viewer: Viewer, id: string, client: ClientInfo): Promise<boolean> {
    const removed = id.length <= 64 ? await this.deps.passkeys.remove(viewer.id, id) : null;
    if (!removed) return false;
    await this.deps.audit.record(AuditEventType.PASSKEY_REMOVED, {
      userId: viewer.id,
      sessionId: viewer.sessionId,
      client,
      details: { passkeyId: id },
    });
    return true;
  }

  /**
   * The checks every assertion passes, in an order that never does work for a stranger
   * before the challenge is taken: the challenge (single-use, unexpired, this purpose and,
   * for step-up, this user), the credential (known; its user handle as stored; its user
   * enabled), the signature (origin, RP ID, user verification), then the counter and its
   * compare-and-set. Every failure is a PasskeyAuthenticationError.
   */
  private async verifyAssertion(
    rawResponse: string,
    purpose: ChallengePurpose,
    userId: string | null,
    client: ClientInfo,
  ): Promise<{ passkey: PasskeyRecord; user: UserRecord; authentication: Authentication }> {
    const rp = this.relyingParty();
    const now = this.deps.now();
    let read: ReturnType<typeof readAuthenticationResponse>;
    try {
      read = readAuthenticationResponse(rawResponse);
    } catch (error) {
      if (error instanceof UnreadableResponse) throw new PasskeyAuthenticationError('unreadable', null, error.message);
      throw error;
    }
    const { json, challenge } = read;
    if (!(await this.deps.challenges.consume(hashOf(challenge), purpose, userId, now))) {
      throw new PasskeyAuthenticationError('challenge');
    }
    const passkey = await this.deps.passkeys.findByCredentialId(json.id);
    if (!passkey) throw new PasskeyAuthenticationError('unknown_credential');
    if (userId !== null && passkey.userId !== userId) {
      throw new PasskeyAuthenticationError('foreign_credential', userId);
    }
    // A discoverable login learns the account from the user handle; it must be the one the credential was made for.
    if (userId === null && json.response.userHandle !== passkey.userHandle) {
      throw new PasskeyAuthenticationError('user_handle', passkey.userId);
    }
    const user = await this.deps.users.findById(passkey.userId);
    if (!user || user.disabled) throw new PasskeyAuthenticationError('user_disabled', passkey.userId);
    let signed: Awaited<ReturnType<RelyingParty['verifyAssertion']>>;
    try {
      signed = await rp.verifyAssertion(json, challenge, passkey);
    } catch (error) {
      throw new PasskeyAuthenticationError('not_verified', passkey.userId, messageOf(error));
    }
    if (counterRegressed(passkey.signCount, signed.signCount)) {
      await this.deps.audit.record(AuditEventType.PASSKEY_COUNTER_REGRESSED, {
        userId: passkey.userId,
        client,
        details: { passkeyId: passkey.id, stored: passkey.signCount, presented: signed.signCount },
      });
      throw new PasskeyAuthenticationError('counter_regressed', passkey.userId);
    }
    const recorded = await this.deps.passkeys.recordUse({
      id: passkey.id,
      expectedCount: passkey.signCount,
      newCount: signed.signCount,
      backedUp: signed.backedUp,
      now,
    });
    // Removed meanwhile, or another assertion with this counter value won the race.
    if (!recorded) throw new PasskeyAuthenticationError('raced', passkey.userId);
    return { passkey, user, authentication: { methods: [methodOf(passkey)], at: now } };
  }

  private async newChallenge(purpose: ChallengePurpose, userId: string | null): Promise<Uint8Array<ArrayBuffer>> {
    const challenge = new Uint8Array(randomBytes(32));
    await this.deps.challenges.insert({
      challengeHash: hashOf(isoBase64URL.fromBuffer(challenge)),
      purpose,
      userId,
      expiresAt: this.deps.now() + CHALLENGE_TTL_MS,
    });
    return challenge;
  }

  private requireVerifiedEmail(user: UserRecord): void {
    if (this.deps.emailVerification && !user.emailVerified) throw new EmailNotVerifiedInputError();
  }

  private relyingParty(): RelyingParty {
    if (!this.deps.relyingParty) throw new FeatureDisabledError('Passkeys');
    return this.deps.relyingParty;
  }

  /** Failures of a login are counted (the reservation kept) and audited; anything else gives the attempt back. */
  private async settleFailure(reservation: Reservation, error: unknown, client: ClientInfo): Promise<void> {
    if (!(error instanceof PasskeyAuthenticationError)) {
      await reservation.refund();
      return;
    }
    this.deps.logger.info({ reason: error.why, detail: error.detail, userId: error.userId }, 'passkey login refused');
    await this.deps.audit.record(AuditEventType.PASSKEY_LOGIN_FAILED, {
      userId: error.userId,
      client,
      details: { reason: error.why },
    });
  }

  private refusedUnlessRead<T>(userId: string, read: () => T): T {
    try {
      return read();
    } catch (error) {
      if (error instanceof UnreadableResponse) throw this.registrationRefused(userId, `unreadable: ${error.message}`);
      throw error;
    }
  }

  private registrationRefused(userId: string, why: string): PasskeyRegistrationError {
    this.deps.logger.info({ reason: why, userId }, 'passkey registration refused');
    return new PasskeyRegistrationError(why);
  }
}

/** Challenges are stored hashed: a read of the table gives nobody a ceremony to finish. */
function hashOf(challenge: string): string {
  return createHash('sha256').update(challenge).digest('hex');
}

function defaultName(deviceType: string): string {
  return deviceType === 'multiDevice' ? 'Synced passkey' : 'Passkey';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : String(error);
}
