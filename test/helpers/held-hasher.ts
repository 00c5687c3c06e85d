import { createPasswordHasher, type PasswordHasher } from '../../src/auth/passwords';

export interface Hold {
  /** Resolves once the held call has started (the caller has read what it checks against). */
  readonly reached: Promise<void>;
  /** Lets the held call go on. */
  release(): void;
}

export interface HeldHasher {
  readonly hasher: PasswordHasher;
  /** Holds the next verify (real or dummy) until released: a login parked inside its argon2 work. */
  holdNextVerify(): Hold;
  /** argon2 verifies started so far (real and dummy). */
  readonly verifies: number;
}

/** The real argon2 hasher, with a way to park a login mid-hash and count the hashes done. */
export async function createHeldHasher(): Promise<HeldHasher> {
  const real = await createPasswordHasher();
  const holds: Array<{ reached: () => void; released: Promise<void> }> = [];
  let verifies = 0;
  const wait = async () => {
    verifies += 1;
    const hold = holds.shift();
    if (!hold) return;
    hold.reached();
    await hold.released;
  };
  return {
    hasher: {
      hash: (password, priority) => real.hash(password, priority),
      async verify(hash, password) {
        await wait();
        return real.verify(hash, password);
      },
      async verifyAgainstDummy(password) {
        await wait();
        return real.verifyAgainstDummy(password);
      },
    },
    holdNextVerify() {
      let reached!: () => void;
      let release!: () => void;
      const hold = {
        reached: new Promise<void>((resolve) => (reached = resolve)),
        released: new Promise<void>((resolve) => (release = resolve)),
      };
      holds.push({ reached, released: hold.released });
      return { reached: hold.reached, release };
    },
    get verifies() {
      return verifies;
    },
  };
}
