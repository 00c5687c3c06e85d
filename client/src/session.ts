import { holdToken, type HeldToken } from './access-token';
import type { AuthTransport, IssuedPair } from './auth-transport';
import type { SessionState, SignedOutReason } from './session-state';
import { withRefreshLock, type LockManagerLike } from './tabs/refresh-lock';
import { openTabChannel, type TabChannel } from './tabs/tab-channel';
import type { TabMessage } from './tabs/tab-messages';
import { TollgateError } from './tollgate-error';

/** The outcome of a refresh, shared by every operation that waited for it. */
export type RefreshOutcome =
  | { readonly kind: 'token'; readonly token: HeldToken }
  | { readonly kind: 'signedOut'; readonly reason: SignedOutReason | undefined }
  /** Not refused, just not done (network down, 429, 503): the session may still be alive. */
  | { readonly kind: 'failed'; readonly error: TollgateError };

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SessionOptions {
  readonly transport: AuthTransport;
  readonly channelName: string;
  readonly locks: LockManagerLike | null;
  readonly refreshLeewayMs: number;
  readonly now: () => number;
  readonly timers: Timers;
  /** Empties the Apollo cache: no data of a session that ended may stay on screen or in memory. */
  readonly clearCache: () => Promise<unknown>;
  readonly onSignedOut?: (reason: SignedOutReason) => void;
}

const SESSION_ENDING_REASONS: ReadonlySet<string> = new Set<SignedOutReason>([
  'REFRESH_TOKEN_INVALID',
  'REFRESH_TOKEN_REUSED',
  'SESSION_EXPIRED',
]);

/** Enough for the few sign-outs a tab sees in the time a message takes to cross. */
const MAX_ENDED_SESSIONS_KEPT = 8;

/** Why a failed refresh means the session is over, or undefined when it may be retried later. */
function sessionEndingReason(error: TollgateError): SignedOutReason | undefined {
  if (error.code !== 'UNAUTHENTICATED') return undefined;
  return error.reason !== undefined && SESSION_ENDING_REASONS.has(error.reason)
    ? (error.reason as SignedOutReason)
    : 'REFRESH_TOKEN_INVALID';
}

function asTollgateError(error: unknown): TollgateError {
  return error instanceof TollgateError
    ? error
    : new TollgateError('The refresh failed unexpectedly.', { code: 'INTERNAL_SERVER_ERROR', cause: error });
}

/**
 * One tab's view of the session: the access token (in memory only), the state the UI renders,
 * the single-flight refresh, the proactive refresh timer, and what the other tabs say.
 */
export class Session {
  private state: SessionState = { status: 'restoring' };
  private held: HeldToken | null = null;
  /** Bumps whenever `held` changes, so a refresh that waited for the lock sees another tab's result. */
  private generation = 0;
  /** Bumps when the session's identity changes (login, sign-out): answers of older refreshes are dropped. */
  private epoch = 0;
  private inflight: Promise<RefreshOutcome> | null = null;
  private restoring: Promise<SessionState> | null = null;
  /** Whether an operation used the current token: only an active tab refreshes ahead of expiry. */
  private used = false;
  private timer: unknown = null;
  /** When the held token is due for its proactive refresh (ms since the epoch). */
  private refreshAt = 0;
  private disposed = false;
  /** Why the latest refresh was not done (429, 503, network), until one succeeds: a failed logout says it. */
  private refreshFailure: TollgateError | null = null;
  /**
   * Sessions this tab saw end (newest last, a few kept): a `refreshed` another tab sent just
   * before hearing of the end crosses the `signedOut` and must not bring the session back here.
   */
  private readonly endedSessions: string[] = [];
  private readonly listeners = new Set<(state: SessionState) => void>();
  private readonly tabId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  private readonly channel: TabChannel;

  constructor(private readonly options: SessionOptions) {
    this.channel = openTabChannel(options.channelName, (message) => void this.receive(message));
  }

  getState(): SessionState {
    return this.state;
  }

  /** Why the latest refresh was neither done nor refused (429, 503, network down); null once one succeeds. */
  lastRefreshFailure(): TollgateError | null {
    return this.held ? this.refreshFailure : null;
  }

  subscribe(listener: (state: SessionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The bearer for the next request: null when signed out; refreshed first when it has already expired here. */
  async tokenForRequest(): Promise<string | null> {
    // Operations started while the page restores the session wait for it instead of going out anonymous.
    if (this.restoring) await this.restoring;
    const held = this.held;
    if (!held) return null;
    this.used = true;
    const now = this.options.now();
    if (now >= held.viewer.expiresAt) {
      // The tab slept past the expiry: refresh first rather than send a request bound to be refused.
      const outcome = await this.refreshReplacing(held.accessToken);
      return outcome.kind === 'token' ? outcome.token.accessToken : outcome.kind === 'failed' ? held.accessToken : null;
    }
    // Due (a timer that a background tab delayed, or one skipped while idle): refresh alongside, no one waits.
    if (now >= this.refreshAt) void this.refresh();
    return held.accessToken;
  }

  /**
   * After the server refused `rejected`: the token that replaced it, from the one refresh every
   * waiting operation shares. When another operation's refresh already replaced it, no new one.
   */
  refreshReplacing(rejected: string): Promise<RefreshOutcome> {
    const held = this.held;
    if (held && held.accessToken !== rejected) return Promise.resolve({ kind: 'token', token: held });
    if (!held) return Promise.resolve(this.currentOutcome());
    return this.refresh();
  }

  /** The server says the session of `rejected` has ended (logout elsewhere, revoked, password changed). */
  async sessionEnded(rejected: string): Promise<void> {
    if (this.held?.accessToken === rejected) await this.signOut('TOKEN_REVOKED', true);
  }

  /** Single-flight: every caller until it settles shares one refresh. */
  refresh(): Promise<RefreshOutcome> {
    if (!this.inflight) {
      this.inflight = this.refreshUnderLock()
        // Never rejects: the timer and background refreshes have no one to report to.
        .catch((caught: unknown): RefreshOutcome => {
          const error = asTollgateError(caught);
          this.refreshFailure = error;
          return { kind: 'failed', error };
        })
        .finally(() => {
          this.inflight = null;
        });
    }
    return this.inflight;
  }

  /** Page load: one refresh with the cookie; `restoring` until it answers. */
  restore(): Promise<SessionState> {
    if (!this.restoring) {
      this.restoring = this.refresh()
        .then(async (outcome) => {
          // Unreachable server: nothing to show but the signed-out UI; its login will say why it fails.
          if (outcome.kind === 'failed' && !this.held) await this.signOut(undefined, false);
          return this.state;
        })
        .finally(() => {
          this.restoring = null;
        });
    }
    return this.restoring;
  }

  /** Adopts the pair of a login or sign-up (a new session: the previous one's cached data goes). */
  async signIn(pair: IssuedPair): Promise<HeldToken> {
    const token = holdToken(pair.accessToken, this.options.now() + pair.expiresIn * 1000);
    this.epoch += 1;
    await this.options.clearCache();
    this.adopt(token);
    this.post({
      type: 'signedIn',
      from: this.tabId,
      accessToken: token.accessToken,
      expiresAt: token.viewer.expiresAt,
    });
    return token;
  }

  /**
   * Adopts a fresh access token for the current session (`reauthenticate`'s answer) and hands
   * it to the other tabs, as a refresh would.
   */
  renewToken(accessToken: string, expiresIn: number): HeldToken {
    const token = holdToken(accessToken, this.options.now() + expiresIn * 1000);
    if (this.held?.viewer.sessionId !== token.viewer.sessionId) {
      throw new TollgateError('The renewed token belongs to another session.', { code: 'INTERNAL_SERVER_ERROR' });
    }
    this.adopt(token);
    this.post({
      type: 'refreshed',
      from: this.tabId,
      accessToken: token.accessToken,
      expiresAt: token.viewer.expiresAt,
    });
    return token;
  }

  /**
   * Drops the token and tells the UI at once (synchronously, so nothing renders as signed in
   * after this call), then the other tabs with `broadcast`, then empties the cache: Apollo
   * cancels the queries still in flight, so no answer of the ended session is written after.
   * A reason-less sign-out is a visitor who had no session.
   */
  async signOut(reason: SignedOutReason | undefined, broadcast: boolean): Promise<void> {
    const wasSignedIn = this.held !== null;
    if (this.held) this.rememberEnded(this.held.viewer.sessionId);
    this.epoch += 1;
    this.held = null;
    this.generation += 1;
    this.cancelTimer();
    this.setState(reason === undefined ? { status: 'signedOut' } : { status: 'signedOut', reason });
    if (broadcast && reason !== undefined) this.post({ type: 'signedOut', from: this.tabId, reason });
    await this.options.clearCache();
    if (wasSignedIn && reason !== undefined) this.options.onSignedOut?.(reason);
  }

  dispose(): void {
    this.disposed = true;
    this.cancelTimer();
    this.channel.close();
    this.listeners.clear();
  }

  private async refreshUnderLock(): Promise<RefreshOutcome> {
    const epoch = this.epoch;
    const generation = this.generation;
    return withRefreshLock(this.options.locks, `${this.options.channelName}:refresh`, async () => {
      // While this tab waited for the lock, another tab refreshed and sent its token: take it.
      if (this.epoch !== epoch || this.generation !== generation) return this.currentOutcome();
      let pair: IssuedPair;
      let token: HeldToken;
      try {
        pair = await this.options.transport.refresh();
        token = holdToken(pair.accessToken, this.options.now() + pair.expiresIn * 1000);
      } catch (caught) {
        const error = asTollgateError(caught);
        // A logout or login happened meanwhile: this answer belongs to no one now.
        if (this.epoch !== epoch) return this.currentOutcome();
        const reason = sessionEndingReason(error);
        if (!reason) {
          this.refreshFailure = error;
          return { kind: 'failed', error };
        }
        // No session here and no valid cookie: a visitor, not a session that ended.
        const shown = this.held === null && reason === 'REFRESH_TOKEN_INVALID' ? undefined : reason;
        await this.signOut(shown, true);
        return { kind: 'signedOut', reason: shown };
      }
      if (this.epoch !== epoch) return this.currentOutcome();
      if (this.held && this.held.viewer.id !== token.viewer.id) {
        // The cookie now belongs to someone else (a login in a tab without BroadcastChannel).
        this.epoch += 1;
        await this.options.clearCache();
      }
      this.adopt(token);
      this.post({
        type: 'refreshed',
        from: this.tabId,
        accessToken: token.accessToken,
        expiresAt: token.viewer.expiresAt,
      });
      return { kind: 'token', token };
    });
  }

  private rememberEnded(sessionId: string): void {
    if (this.endedSessions.includes(sessionId)) return;
    this.endedSessions.push(sessionId);
    if (this.endedSessions.length > MAX_ENDED_SESSIONS_KEPT) this.endedSessions.shift();
  }

  private currentOutcome(): RefreshOutcome {
    if (this.held) return { kind: 'token', token: this.held };
    return { kind: 'signedOut', reason: this.state.status === 'signedOut' ? this.state.reason : undefined };
  }

  private adopt(token: HeldToken): void {
    this.held = token;
    this.refreshFailure = null;
    this.generation += 1;
    this.used = false;
    this.setState({ status: 'signedIn', viewer: token.viewer });
    this.scheduleRefresh(token);
  }

  /**
   * Refresh the leeway before expiry, but never in the first half of the token's life: a
   * leeway longer than a short-lived token would refresh it over and over.
   */
  private scheduleRefresh(token: HeldToken): void {
    this.cancelTimer();
    const now = this.options.now();
    const lifetime = Math.max(0, token.viewer.expiresAt - now);
    this.refreshAt = token.viewer.expiresAt - Math.min(this.options.refreshLeewayMs, lifetime / 2);
    const handle = this.options.timers.setTimeout(() => {
      this.timer = null;
      // An idle tab lets the token lapse (its next request refreshes first), so an open but
      // unused tab does not keep the session alive past SESSION_IDLE_TIMEOUT forever.
      if (this.held === token && this.used) void this.refresh();
    }, this.refreshAt - now);
    // Node: a pending refresh must not keep a process (a test, a CLI) alive.
    (handle as { unref?: () => void } | null)?.unref?.();
    this.timer = handle;
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.options.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private setState(next: SessionState): void {
    const previous = this.state;
    if (
      previous.status === next.status &&
      (next.status === 'signedIn'
        ? previous.status === 'signedIn' && previous.viewer === next.viewer
        : next.status !== 'signedOut' || (previous.status === 'signedOut' && previous.reason === next.reason))
    ) {
      return;
    }
    this.state = next;
    for (const listener of [...this.listeners]) listener(next);
  }

  private post(message: TabMessage): void {
    // A refresh that settles after dispose() has no tabs left to tell.
    if (!this.disposed) this.channel.post(message);
  }

  private async receive(message: TabMessage): Promise<void> {
    if (message.from === this.tabId) return;
    switch (message.type) {
      case 'signedIn':
      case 'refreshed': {
        let token: HeldToken;
        try {
          token = holdToken(message.accessToken, message.expiresAt);
        } catch {
          return;
        }
        // A token of a session that ended here (a logout, a refresh that found it over): late news.
        if (this.endedSessions.includes(token.viewer.sessionId)) return;
        const held = this.held;
        if (held?.accessToken === token.accessToken) return;
        // Messages can cross: never trade a token for an older one of the same session.
        if (held && held.viewer.sessionId === token.viewer.sessionId && token.issuedAt < held.issuedAt) return;
        if (message.type === 'signedIn' || (held && held.viewer.id !== token.viewer.id)) {
          this.epoch += 1;
          await this.options.clearCache();
        }
        this.adopt(token);
        return;
      }
      case 'signedOut':
        if (this.held !== null || this.state.status !== 'signedOut') await this.signOut(message.reason, false);
        return;
      case 'sessionChanged':
        // The storage fallback carries no token: a tab without one joins the session from the cookie.
        if (this.held === null) await this.refresh();
        return;
    }
  }
}
