import { Directive } from 'type-graphql';
import { factorCount, PASSWORD_ONLY } from './authentication-methods';
import type { Viewer } from './tokens';

/**
 * What a sensitive field asks of the caller's token on top of its policy: an authentication
 * no older than `maxAgeSeconds`, proving `factors` factors.
 */
export interface RecentAuthRequirement {
  readonly maxAgeSeconds: number;
  /** 2: a password and a second factor, or a passkey. A user with no second factor meets it with the password. */
  readonly factors: 1 | 2;
}

/** Longest step-up window a field may declare: beyond a day it is no step-up. */
const MAX_AGE_LIMIT_SECONDS = 86_400;
const DURATION = /^(\d+)(s|m|h)$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600 } as const;

type Decorator = (target: object, propertyKey: string | symbol, descriptor?: PropertyDescriptor) => void;

/**
 * Step-up for a sensitive field: `@RecentAuth({ maxAge: '10m', factors: 2 })` beside its
 * policy decorator. Shown in the SDL as `@recentAuth(maxAgeSeconds:, factors:)` and
 * enforced from there (src/graphql/enforce-policies.ts) after the policy: a token that is
 * too old or proves too few factors gets FORBIDDEN / STEP_UP_REQUIRED, and the client calls
 * `reauthenticate`.
 */
export function RecentAuth(options: { readonly maxAge: string; readonly factors: 1 | 2 }): Decorator {
  const requirement = recentAuthRequirement(options.maxAge, options.factors);
  return Directive(
    `@recentAuth(maxAgeSeconds: ${requirement.maxAgeSeconds}, factors: ${requirement.factors})`,
  ) as Decorator;
}

/** Validates a declared requirement (a mistyped duration fails when the schema is built, not at request time). */
export function recentAuthRequirement(maxAge: string | number, factors: number): RecentAuthRequirement {
  let seconds: number;
  if (typeof maxAge === 'number') {
    seconds = maxAge;
  } else {
    const match = DURATION.exec(maxAge);
    if (!match) throw new TypeError(`RecentAuth maxAge "${maxAge}" is not a duration such as "30s", "10m" or "1h"`);
    seconds = Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
  }
  if (!Number.isSafeInteger(seconds) || seconds < 1 || seconds > MAX_AGE_LIMIT_SECONDS) {
    throw new TypeError(`RecentAuth maxAge must be 1 second to ${MAX_AGE_LIMIT_SECONDS / 3600} hours`);
  }
  if (factors !== 1 && factors !== 2) throw new TypeError('RecentAuth factors must be 1 or 2');
  return Object.freeze({ maxAgeSeconds: seconds, factors });
}

/**
 * Pure: does `viewer`'s token meet `requirement` at `nowMs`? The window is closed: an
 * authentication exactly `maxAgeSeconds` old passes, one millisecond more does not.
 *
 * A token proving the password alone is issued only to an account with no second factor
 * (login, refresh and reauthenticate of an account with one always add it; enabling one
 * moves the enrolling session to `pwd otp` and ends the others), so it meets `factors: 2`:
 * otherwise an ADMIN without a second factor could never change a role. A token from before
 * tokens carried `auth_time` meets nothing.
 */
export function meetsRecentAuth(viewer: Viewer, requirement: RecentAuthRequirement, nowMs: number): boolean {
  const authTime = viewer.authTime ?? null;
  if (authTime === null) return false;
  if (nowMs - authTime * 1000 > requirement.maxAgeSeconds * 1000) return false;
  const methods = viewer.amr ?? PASSWORD_ONLY;
  const passwordOnly = methods.length === 1 && methods[0] === 'pwd';
  const needed = passwordOnly ? 1 : requirement.factors;
  return factorCount(methods) >= needed;
}

/** For a field's description (Sandbox) and error messages: "within 10 minutes, with 2 factors". */
export function describeRecentAuth(requirement: RecentAuthRequirement): string {
  const { maxAgeSeconds: s } = requirement;
  const age = s % 3600 === 0 ? plural(s / 3600, 'hour') : s % 60 === 0 ? plural(s / 60, 'minute') : plural(s, 'second');
  const factors =
    requirement.factors === 2 ? '2 factors (the password alone for a user without a second factor)' : 'any one factor';
  return `an authentication within ${age}, with ${factors}`;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
