import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { InvalidTokenError } from '../errors/domain-errors';
import { PASSWORD_ONLY, parseAuthMethods, type Authentication, type AuthMethod } from './authentication-methods';
import { isKeyId } from './keys/key-id';
import { hmacSigningKey, staticSigningKeys, type SigningKeys } from './keys/signing-key';
import { parseRoles, type Role } from './roles';

/** The identity a verified access token proves; what the context carries. */
export interface Viewer {
  readonly id: string;
  readonly roles: readonly Role[];
  /** The session the token belongs to (`sid`); ending the session revokes the token. */
  readonly sessionId: string;
  /** The user's roles version when the token was issued (`rv`); a role change makes older tokens stale. */
  readonly rolesVersion: number;
  /** The token's `jti`. */
  readonly tokenId: string;
  /** Seconds since the epoch. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  /**
   * How the user authenticated (`amr`, RFC 8176). A token from before tokens carried it
   * counts as a password login. Always set by verify(); optional only so that viewers
   * built by hand (tools, tests of other parts) need not state it, and then means the same.
   */
  readonly amr?: readonly AuthMethod[];
  /**
   * When (seconds) the user last proved every method of `amr` (`auth_time`, OpenID Connect
   * Core §2); null (or absent) for a token from before tokens carried it: no step-up accepts it.
   */
  readonly authTime?: number | null;
}

export interface IssuedAccessToken {
  readonly token: string;
  /** Seconds, as OAuth's `expires_in` (RFC 6749 §5.1). */
  readonly expiresIn: number;
}

/** Verified tokens remembered, so a client's repeated requests skip the JSON and HMAC work. */
export const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

/**
 * `keys`: the key ring (what signs, what verifies, by kid). `secret`: one fixed HS256
 * key, for tools and tests that need no rotation.
 */
export type AccessTokenOptions = AccessTokenClaimsOptions &
  ({ readonly keys: SigningKeys } | { readonly secret: Buffer });

export interface AccessTokenClaimsOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
  /** Milliseconds since the epoch; injected so tests can move time. */
  readonly now?: () => number;
}

export interface AccessTokenSubject {
  readonly id: string;
  readonly roles: readonly Role[];
  readonly sessionId: string;
  readonly rolesVersion: number;
  /** Becomes `amr` and `auth_time`; without it the token carries neither (tests of other claims). */
  readonly authentication?: Authentication;
}

/**
 * Pins what would otherwise be fresh, so the same inputs sign the same token:
 * concurrent refreshes with one refresh token must all get the identical pair.
 */
export interface DeterministicIssue {
  /** Milliseconds since the epoch. */
  readonly issuedAt: number;
  readonly tokenId: string;
}

export interface AccessTokens {
  /**
   * Milliseconds after a moment T during which some token issued at or before T can
   * still be accepted by some instance. Everything that must outlive such tokens
   * (revocations above all) is kept for at least this long; it is derived from the
   * same numbers verify() applies, so the two cannot drift apart.
   */
  readonly maxAcceptanceMs: number;
  /**
   * Signs an access token. `notAfter` (seconds) caps `exp`, so no token outlives
   * the session it belongs to.
   */
  issue(subject: AccessTokenSubject, options?: { pinned?: DeterministicIssue; notAfter?: number }): IssuedAccessToken;
  /** Returns the viewer or throws InvalidTokenError; never trusts a claim because it decoded. */
  verify(token: string): Viewer;
}

// RFC 9068 §2.1: access tokens carry typ "at+jwt" so an ID token or another JWT cannot be replayed as one.
const TOKEN_TYPE = 'at+jwt';
/** How far past `exp` (and before `nbf`/`iat`) a token is still accepted, for clocks that disagree. */
export const CLOCK_SKEW_SECONDS = 30;
/**
 * How far ahead of the instance that records a revocation another instance's clock
 * (the one that signed a token) may be, plus the few milliseconds between a change
 * being read and committed. Beyond this the fleet's clocks are broken, not skewed.
 */
export const INSTANCE_CLOCK_ALLOWANCE_SECONDS = 5;

/**
 * The first instant (ms since the epoch) at which a token with this `exp` is refused.
 * The one rule of acceptance in time: verify() and maxAcceptanceMs both use it.
 */
export function refusedFromMs(exp: number): number {
  return (exp + CLOCK_SKEW_SECONDS) * 1000;
}

/**
 * AccessTokens.maxAcceptanceMs for a lifetime: a token issued at T by an instance whose
 * clock runs ahead carries iat ≤ T + allowance, so exp ≤ T + allowance + ttl, and it is
 * refused from refusedFromMs(exp) on. Also how long a retired signing key must verify.
 */
export function maxAcceptanceMsFor(ttlSeconds: number): number {
  return refusedFromMs(INSTANCE_CLOCK_ALLOWANCE_SECONDS + ttlSeconds);
}
/** Ours are ~350 bytes; a huge token is an attack on the parser, not a credential. */
export const MAX_TOKEN_LENGTH = 4096;
// Headers that ask the verifier to fetch or trust keys or semantics it did not choose (RFC 8725 §3.10).
const FORBIDDEN_HEADERS = ['crit', 'jku', 'jwk', 'x5u', 'x5c'] as const;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_SUBJECT_LENGTH = 64;

export function createAccessTokens(options: AccessTokenOptions): AccessTokens {
  // KeyObjects built once: jsonwebtoken given a string or PEM re-parses it as a key on every call.
  const keys = 'keys' in options ? options.keys : staticSigningKeys(hmacSigningKey(options.secret));
  const now = options.now ?? Date.now;
  const { issuer, audience, ttlSeconds } = options;
  // Insertion-ordered: when full, the oldest entry goes first. The kid is kept so that a
  // token whose key has since been removed or has timed out of retirement is refused here too.
  const verified = new Map<string, { readonly viewer: Viewer; readonly kid: string }>();
  const verifyOptions = {
    issuer,
    audience,
    // nbf and iat only: expiry is decided by refusedFromMs() below, the rule revocations are sized by.
    clockTolerance: CLOCK_SKEW_SECONDS,
    ignoreExpiration: true,
    complete: true as const,
  };
  const maxAcceptanceMs = maxAcceptanceMsFor(ttlSeconds);

  return {
    maxAcceptanceMs,

    issue(subject, options = {}) {
      const iat = Math.floor((options.pinned?.issuedAt ?? now()) / 1000);
      const exp = Math.min(iat + ttlSeconds, options.notAfter ?? Infinity);
      const payload = {
        sub: subject.id,
        sid: subject.sessionId,
        rv: subject.rolesVersion,
        roles: [...subject.roles],
        ...(subject.authentication
          ? {
              amr: [...subject.authentication.methods],
              auth_time: Math.min(Math.floor(subject.authentication.at / 1000), iat),
            }
          : {}),
        jti: options.pinned?.tokenId ?? randomUUID(),
        iat,
        exp,
        iss: issuer,
        aud: audience,
      };
      const { kid, alg, privateKey } = keys.signingKey();
      const token = jwt.sign(payload, privateKey, { algorithm: alg, header: { alg, typ: TOKEN_TYPE, kid } });
      return { token, expiresIn: exp - iat };
    },

    verify(token) {
      // Keyed by the whole signed token: only a token that verified can be found here.
      const cached = verified.get(token);
      if (cached) {
        if (now() < refusedFromMs(cached.viewer.expiresAt) && keys.find(cached.kid)) return cached.viewer;
        verified.delete(token);
        if (now() >= refusedFromMs(cached.viewer.expiresAt)) throw new InvalidTokenError('TOKEN_EXPIRED');
        throw new InvalidTokenError();
      }
      const { viewer, kid } = verifyUncached(token);
      if (now() >= refusedFromMs(viewer.expiresAt)) throw new InvalidTokenError('TOKEN_EXPIRED');
      if (verified.size >= VERIFIED_TOKEN_CACHE_SIZE) verified.delete(verified.keys().next().value!);
      verified.set(token, { viewer, kid });
      return viewer;
    },
  };

  function verifyUncached(token: string): { viewer: Viewer; kid: string } {
    if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) throw new InvalidTokenError();
    // The key is chosen by kid among those loaded, and brings its one algorithm: the header's
    // alg is only compared with it (RFC 8725 §2.1, §3.1), never used to pick how to verify.
    const key = keys.find(headerKeyId(token));
    if (!key) throw new InvalidTokenError();
    let decoded: jwt.Jwt;
    try {
      decoded = jwt.verify(token, key.verificationKey, {
        ...verifyOptions,
        algorithms: [key.alg],
        clockTimestamp: Math.floor(now() / 1000),
      });
    } catch (error) {
      throw new InvalidTokenError(error instanceof jwt.TokenExpiredError ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID');
    }
    const header = decoded.header as unknown as Record<string, unknown>;
    if (typeof header.typ !== 'string' || header.typ.toLowerCase() !== TOKEN_TYPE) throw new InvalidTokenError();
    if (FORBIDDEN_HEADERS.some((name) => name in header)) throw new InvalidTokenError();
    const viewer = narrowClaims(decoded.payload);
    // From the future: iat is this fleet's clock at signing, and the fleet's clocks agree within the
    // allowance that sizes revocations; a token further ahead breaks that assumption, so it is refused.
    if (viewer.issuedAt * 1000 > now() + INSTANCE_CLOCK_ALLOWANCE_SECONDS * 1000) throw new InvalidTokenError();
    // Revocations are remembered for maxAcceptanceMs, sized by this server's lifetime: a token signed
    // to live longer (before ACCESS_TOKEN_TTL was lowered, or by an instance configured otherwise)
    // would outlive them. It has expired by the rules in force here.
    if (viewer.expiresAt - viewer.issuedAt > ttlSeconds) throw new InvalidTokenError('TOKEN_EXPIRED');
    return { viewer, kid: key.kid };
  }
}

/**
 * The header's kid, read before any key is chosen: undefined when there is none (an HS256
 * token from before tokens carried one); a header that is not a JSON object, or a kid that
 * is not a string of the allowed shape (a path, quotes, 10 KB), is refused before any lookup.
 */
function headerKeyId(token: string): string | undefined {
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8'));
  } catch {
    throw new InvalidTokenError();
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new InvalidTokenError();
  const { kid } = header as Record<string, unknown>;
  if (kid === undefined) return undefined;
  if (!isKeyId(kid)) throw new InvalidTokenError();
  return kid;
}

function narrowClaims(payload: unknown): Viewer {
  if (typeof payload !== 'object' || payload === null) throw new InvalidTokenError();
  const claims = payload as Record<string, unknown>;
  const { sub, sid, rv, jti, iat, exp } = claims;
  const roles = parseRoles(claims.roles);
  const authentication = narrowAuthentication(claims.amr, claims.auth_time, iat);
  if (
    typeof sub !== 'string' ||
    sub.length === 0 ||
    sub.length > MAX_SUBJECT_LENGTH ||
    typeof sid !== 'string' ||
    sid.length === 0 ||
    sid.length > MAX_SUBJECT_LENGTH ||
    !Number.isSafeInteger(rv) ||
    typeof jti !== 'string' ||
    jti.length === 0 ||
    !Number.isSafeInteger(iat) ||
    // jsonwebtoken checks exp only when present; an access token without one would live forever.
    !Number.isSafeInteger(exp) ||
    roles === null ||
    authentication === null
  ) {
    throw new InvalidTokenError();
  }
  return Object.freeze({
    id: sub,
    roles: Object.freeze(roles),
    sessionId: sid,
    rolesVersion: rv as number,
    tokenId: jti,
    issuedAt: iat as number,
    expiresAt: exp as number,
    amr: Object.freeze(authentication.amr),
    authTime: authentication.authTime,
  });
}

/**
 * `amr` and `auth_time` come together or not at all (a token from before they existed: a
 * password login of unknown age). An unknown method, or an authentication after the token
 * was issued, makes the token invalid rather than counting as anything.
 */
function narrowAuthentication(
  amr: unknown,
  authTime: unknown,
  iat: unknown,
): { amr: readonly AuthMethod[]; authTime: number | null } | null {
  if (amr === undefined && authTime === undefined) return { amr: PASSWORD_ONLY, authTime: null };
  const methods = parseAuthMethods(amr);
  if (methods === null || !Number.isSafeInteger(authTime) || (authTime as number) <= 0) return null;
  if (!Number.isSafeInteger(iat) || (authTime as number) > (iat as number)) return null;
  return { amr: methods, authTime: authTime as number };
}
