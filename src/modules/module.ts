import type { ValidationRule } from 'graphql';
import type { Migration } from 'kysely';
import type { KeyRing } from '../auth/keys/key-ring';
import type { PasswordHasher } from '../auth/passwords';
import type { AccessTokens } from '../auth/tokens';
import type { Config } from '../config';
import type { DatabaseHandle } from '../db/connect';
import type { EventBus } from '../events/event-bus';
import type { HousekeepingTask } from '../housekeeping';
import type { Logger } from '../logger';
import type { Mailer } from '../mail/mailer';

/**
 * What the modules offer each other and the app, by name. Empty here: each module
 * adds the services it builds by augmenting this interface in its `<name>.module.ts`
 * (`declare module '../module' { interface Services { … } }`).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by the modules
export interface Services {}

/** Built before any module, from the configuration: what every module may use. */
export interface Infrastructure {
  readonly config: Config;
  readonly database: DatabaseHandle;
  readonly logger: Logger;
  /** Milliseconds since the epoch; tests inject a clock they control. */
  readonly now: () => number;
  readonly tokens: AccessTokens;
  /** The keys access tokens are signed and verified with, reloaded as they rotate; and the JWKS. */
  readonly signingKeys: KeyRing;
  readonly passwords: PasswordHasher;
  /**
   * A key for one purpose, derived (HKDF) from REFRESH_TOKEN_SECRET, never from a signing
   * key: these keys stay the same when signing keys rotate or the algorithm changes.
   */
  deriveKey(purpose: string): Buffer;
  /** Domain events (what changed, by id), to this instance's and, with Redis, every instance's subscribers. */
  readonly events: EventBus;
  /** Sends mail off the request path (SMTP, or the outbox outside production); closed with the app. */
  readonly mailer: Mailer;
}

/**
 * One module: a folder under src/modules/ and one line in src/modules/index.ts.
 * Everything the app needs from it is here; nothing outside the folder lists its
 * parts.
 */
export interface TollgateModule {
  readonly name: string;
  /**
   * Its migrations, named `NNNN_what`. All modules' migrations run together in name
   * order, so a new one takes the next free number.
   */
  readonly migrations?: Readonly<Record<string, Migration>>;
  /**
   * Builds its services from the infrastructure and the services of the modules listed
   * before it (asking for a later module's service throws, naming both).
   */
  createServices?(infrastructure: Infrastructure, services: Services): Partial<Services>;
  /** Its resolver instances (type-graphql classes taking their services in the constructor). */
  createResolvers?(services: Services): readonly object[];
  /** Validation rules it adds; they run after the document limits. */
  readonly validationRules?: readonly ValidationRule[];
  /** Periodic clean-ups of its tables. */
  housekeeping?(infrastructure: Infrastructure, services: Services): readonly HousekeepingTask[];
  /** Starts its background work once every service exists (in list order); `stop` ends it (in reverse). */
  start?(services: Services): Promise<void>;
  stop?(services: Services): Promise<void>;
}

/** Declares a module (the identity function, for type-checking and a frozen result). */
export function defineModule(module: TollgateModule): TollgateModule {
  return Object.freeze(module);
}
