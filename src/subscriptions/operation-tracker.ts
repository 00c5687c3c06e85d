/**
 * One `subscribe` message, from its arrival until graphql-ws is done with it. `payload` is
 * that message's own payload object: graphql-ws hands the same object to every hook, so two
 * subscribes with one id are told apart by it.
 */
interface Operation {
  readonly payload: object;
  /** Set once it runs; returned when the socket closes. */
  results: AsyncIterator<unknown> | null;
}

/**
 * Every operation of one connection, kept by us rather than read from graphql-ws's own
 * `ctx.subscriptions`. graphql-ws (6.4) lists an id before its setup finishes and forgets
 * it on the client's `complete`, so `subscribe X`, `complete X`, `subscribe X` in one write
 * would leave the first subscription running unseen: never returned, not counted, listening
 * on the event bus and re-reading the database on every event for as long as the process
 * lives. Here an operation is tracked from its `subscribe` until graphql-ws has finished
 * it (its onComplete), a second subscribe of an id still tracked is refused, results that
 * lost their id are returned, and every result is returned when the socket closes.
 */
export class OperationTracker {
  private readonly operations = new Map<string, Operation>();
  private closed = false;

  /** Tracked operations: being set up, running, or being ended. */
  get size(): number {
    return this.operations.size;
  }

  /**
   * What counts against WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: every operation being set up
   * (even one the client already completed: it still costs until its setup is over) and
   * every running one the client has not completed. A running one whose `complete` has
   * arrived is being returned by graphql-ws and no longer counts, so a client may complete
   * one and subscribe another in the same write.
   */
  live(stillSubscribed: (id: string) => boolean): number {
    let live = 0;
    for (const [id, operation] of this.operations) {
      if (operation.results === null || stillSubscribed(id)) live += 1;
    }
    return live;
  }

  /** Tracks a new `subscribe`; false (and nothing tracked) when `id` is still tracked. */
  begin(id: string, payload: object): boolean {
    if (this.operations.has(id)) return false;
    this.operations.set(id, { payload, results: null });
    return true;
  }

  /**
   * The operation's results, from now on returned when the socket closes. False when they
   * must not run (the caller returns them): the socket has closed, or `id` no longer maps to
   * this operation.
   */
  attach(id: string, payload: object, results: AsyncIterator<unknown>): boolean {
    const operation = this.operations.get(id);
    if (this.closed || operation?.payload !== payload) return false;
    operation.results = results;
    return true;
  }

  /** Forgets the operation: refused before it ran, or finished by graphql-ws. Another operation with the same id is left alone. */
  end(id: string, payload: object): void {
    if (this.operations.get(id)?.payload === payload) this.operations.delete(id);
  }

  /** The socket closed: returns every running operation's results; those still being set up are refused at attach(). */
  async close(): Promise<void> {
    this.closed = true;
    const running = [...this.operations.values()].flatMap(({ results }) => (results ? [results] : []));
    this.operations.clear();
    await Promise.all(running.map((results) => results.return?.()));
  }
}
