/**
 * A subscription's results, each let through only once `allowed()` says its connection may
 * still receive it, asked after the result is ready and right before it is sent. The first
 * refusal ends the subscription (whoever refused has closed the socket), so nothing that
 * was read for a viewer whose access ended meanwhile leaves.
 */
export function deliverWhileAllowed<T>(
  results: AsyncIterator<T>,
  allowed: () => Promise<boolean>,
): AsyncIterableIterator<T> {
  let ended = false;
  const end = async (): Promise<IteratorResult<T>> => {
    if (!ended) {
      ended = true;
      await results.return?.();
    }
    return { value: undefined, done: true };
  };
  return {
    async next() {
      if (ended) return { value: undefined, done: true };
      const result = await results.next();
      if (result.done) return result;
      // Ended while asking (the socket closed, graphql-ws returned us): nothing more is sent.
      if ((await allowed()) && !ended) return result;
      return end();
    },
    return: end,
    async throw(error?: unknown) {
      await end();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
