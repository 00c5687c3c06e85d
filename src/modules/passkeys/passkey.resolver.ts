import { GraphQLBoolean } from 'graphql';
import { Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { Public, SignedIn } from '../../auth/policies';
import { RecentAuth } from '../../auth/step-up';
import type { Context } from '../../context';
import { MaxItems } from '../../graphql/connection';
import { signedIn } from '../../graphql/signed-in';
import { toPayload } from '../credentials/credentials.resolver';
import { AuthPayload } from '../credentials/credentials.types';
import { ReauthenticatePayload } from '../two-factor/two-factor.types';
import {
  FinishPasskeyLoginArgs,
  FinishPasskeyReauthenticationArgs,
  FinishPasskeyRegistrationArgs,
  RemovePasskeyArgs,
  RenamePasskeyArgs,
  StartPasskeyRegistrationArgs,
} from './passkey.inputs';
import { MAX_PASSKEYS_PER_USER } from './passkey.model';
import type { CeremonyOptions, PasskeyService } from './passkey.service';
import { Passkey, PasskeyCeremonyOptions, PasskeyLoginOptions } from './passkey.type';

@Resolver()
export class PasskeyResolver {
  constructor(private readonly passkeys: PasskeyService) {}

  @SignedIn()
  @MaxItems(MAX_PASSKEYS_PER_USER)
  @Query(() => [Passkey], { description: "The caller's passkeys, oldest first." })
  myPasskeys(@Ctx() { viewer }: Context): Promise<Passkey[]> {
    return this.passkeys.list(signedIn(viewer));
  }

  // A passkey outlives password changes and logoutAll: a stolen access token must not add the
  // thief's one. A token's age cannot tell (it is as fresh as the login it was stolen from),
  // so, as TOTP enrolment does, the password (and a code) are proven in the call itself.
  @SignedIn()
  @Mutation(() => PasskeyCeremonyOptions, {
    description:
      'Starts adding a passkey with the current password (and a code when two-factor is on): options for the browser, to finish within 5 minutes. A wrong password or code: BAD_USER_INPUT, throttled like reauthenticate; an unverified address: BAD_USER_INPUT / EMAIL_NOT_VERIFIED.',
  })
  async startPasskeyRegistration(
    @Args(() => StartPasskeyRegistrationArgs) { currentPassword, code, recoveryCode }: StartPasskeyRegistrationArgs,
    @Ctx() { viewer, client }: Context,
  ): Promise<PasskeyCeremonyOptions> {
    return answer(
      await this.passkeys.startRegistration(signedIn(viewer), currentPassword, { code, recoveryCode }, client),
    );
  }

  // No step-up: only the browser that startPasskeyRegistration (identity proven) answered holds the challenge.
  @SignedIn()
  @Mutation(() => Passkey, {
    description:
      'Stores the passkey the browser created; the owner is told by mail. A refused one: BAD_USER_INPUT / PASSKEY_INVALID.',
  })
  finishPasskeyRegistration(
    @Args(() => FinishPasskeyRegistrationArgs) { response, name }: FinishPasskeyRegistrationArgs,
    @Ctx() { viewer, client }: Context,
  ): Promise<Passkey> {
    return this.passkeys.finishRegistration(signedIn(viewer), response, name ?? null, client);
  }

  @Public()
  @Mutation(() => PasskeyLoginOptions, {
    description: 'Starts a sign-in with a passkey (no email asked): options for the browser, within 5 minutes.',
  })
  async startPasskeyLogin(@Ctx() { client }: Context): Promise<PasskeyLoginOptions> {
    return answer(await this.passkeys.startLogin(client));
  }

  @Public()
  @Mutation(() => AuthPayload, {
    description:
      'Signs in with the passkey the browser used; counts as two factors. Every failure: UNAUTHENTICATED / PASSKEY_INVALID.',
  })
  async finishPasskeyLogin(
    @Args(() => FinishPasskeyLoginArgs) { response, useCookie }: FinishPasskeyLoginArgs,
    @Ctx() ctx: Context,
  ): Promise<AuthPayload> {
    return toPayload(await this.passkeys.finishLogin(response, ctx.client), useCookie === true, ctx);
  }

  @SignedIn()
  @Mutation(() => PasskeyCeremonyOptions, {
    description: "Step-up with a passkey: options naming the caller's passkeys, to finish within 5 minutes.",
  })
  async startPasskeyReauthentication(@Ctx() { viewer }: Context): Promise<PasskeyCeremonyOptions> {
    return answer(await this.passkeys.startReauthentication(signedIn(viewer)));
  }

  @SignedIn()
  @Mutation(() => ReauthenticatePayload, {
    description:
      'Step-up with a passkey: a fresh access token for the same session (two factors, now). Failure: UNAUTHENTICATED / PASSKEY_INVALID.',
  })
  async finishPasskeyReauthentication(
    @Args(() => FinishPasskeyReauthenticationArgs) { response }: FinishPasskeyReauthenticationArgs,
    @Ctx() { viewer, client }: Context,
  ): Promise<ReauthenticatePayload> {
    const issued = await this.passkeys.finishReauthentication(signedIn(viewer), response, client);
    return { accessToken: issued.token, tokenType: 'Bearer', expiresIn: issued.expiresIn };
  }

  @SignedIn()
  @Mutation(() => Passkey, { description: 'Renames one of your passkeys.' })
  renamePasskey(
    @Args(() => RenamePasskeyArgs) { id, name }: RenamePasskeyArgs,
    @Ctx() { viewer, client }: Context,
  ): Promise<Passkey> {
    return this.passkeys.rename(signedIn(viewer), id, name, client);
  }

  @SignedIn()
  @RecentAuth({ maxAge: '10m', factors: 2 })
  @Mutation(() => GraphQLBoolean, {
    description:
      'Removes one of your passkeys (false: no such passkey of yours). Sessions it opened stay open; end them with revokeSession.',
  })
  removePasskey(
    @Args(() => RemovePasskeyArgs) { id }: RemovePasskeyArgs,
    @Ctx() { viewer, client }: Context,
  ): Promise<boolean> {
    return this.passkeys.remove(signedIn(viewer), id, client);
  }
}

function answer({ options, expiresInSeconds }: CeremonyOptions): { options: string; expiresIn: number } {
  return { options, expiresIn: expiresInSeconds };
}
