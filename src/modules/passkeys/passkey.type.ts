import { Field, ID, Int, ObjectType } from 'type-graphql';
import { OwnerOr, SignedIn, Public } from '../../auth/policies';

/** A passkey belongs to its user: SELF means them, and nobody else reads it. */
@OwnerOr({ owner: (passkey: Passkey) => passkey.userId })
@ObjectType({ description: 'A passkey (WebAuthn credential) that signs its user in.' })
export class Passkey {
  @Field(() => ID)
  id!: string;

  /** The owner (see @OwnerOr above); not a field of the schema. */
  userId!: string;

  @Field(() => String, { description: 'The label the user gave it (1 to 60 characters).' })
  name!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'The last sign-in or step-up with it; null if never used.' })
  lastUsedAt!: Date | null;

  @Field(() => String, {
    description:
      '`singleDevice` (bound to one authenticator) or `multiDevice` (synced, e.g. through a password manager).',
  })
  deviceType!: string;

  @Field(() => Boolean, { description: 'Whether the authenticator says it is backed up (synced).' })
  backedUp!: boolean;
}

@Public()
@ObjectType({ description: 'Options for the browser: pass them to startRegistration / startAuthentication.' })
export class PasskeyLoginOptions {
  @Field(() => String, {
    description: 'PublicKeyCredentialRequestOptionsJSON, as a JSON string. Its challenge is single-use.',
  })
  options!: string;

  @Field(() => Int, { description: 'Seconds left to finish the ceremony; then start again.' })
  expiresIn!: number;
}

@SignedIn()
@ObjectType({ description: 'Options for the browser to create or use a passkey of the signed-in user.' })
export class PasskeyCeremonyOptions {
  @Field(() => String, {
    description:
      'PublicKeyCredentialCreationOptionsJSON (registration) or PublicKeyCredentialRequestOptionsJSON (step-up), as a JSON string.',
  })
  options!: string;

  @Field(() => Int, { description: 'Seconds left to finish the ceremony; then start again.' })
  expiresIn!: number;
}
