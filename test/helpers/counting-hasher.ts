import { createPasswordHasher, type PasswordHasher } from '../../src/auth/passwords';

export interface CountingHasher {
  readonly hasher: PasswordHasher;
  /** argon2 calls so far, of any kind (hash, verify, dummy verify). */
  readonly calls: number;
}

/** The real argon2 hasher, counting its calls: "this path hashes nothing" as an exact assertion. */
export async function createCountingHasher(): Promise<CountingHasher> {
  const real = await createPasswordHasher();
  let calls = 0;
  const counted =
    <A extends unknown[], R>(work: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      calls += 1;
      return work(...args);
    };
  return {
    hasher: {
      hash: counted((password: string, priority?: Parameters<PasswordHasher['hash']>[1]) =>
        real.hash(password, priority),
      ),
      verify: counted((hash: string, password: string) => real.verify(hash, password)),
      verifyAgainstDummy: counted((password: string) => real.verifyAgainstDummy(password)),
    },
    get calls() {
      return calls;
    },
  };
}
