import type { PasswordHasher } from '../../src/auth/passwords';
import { Role } from '../../src/auth/roles';
import { InvalidCredentialsError, InvalidInputError } from '../../src/errors/domain-errors';
import type { UserCredentials, UserRecord } from '../../src/modules/user/user.model';
import type { UserRepository } from '../../src/modules/user/user.repository';
import { UserService } from '../../src/modules/user/user.service';

/** Counts the argon2 work each path does, so "same work for every failure" is checked, not timed. */
function fakeHasher() {
  const calls: string[] = [];
  const hasher: PasswordHasher = {
    hash: async (password) => {
      calls.push('hash');
      return `hash(${password})`;
    },
    verify: async (hash, password) => {
      calls.push('verify');
      return { ok: hash === `hash(${password})`, needsRehash: false };
    },
    verifyAgainstDummy: async () => {
      calls.push('verify');
    },
  };
  return { hasher, calls };
}

const record = (overrides: Partial<UserRecord> = {}): UserRecord => ({
  id: 'u1',
  email: 'ann@example.com',
  displayName: 'Ann',
  roles: [Role.USER],
  disabled: false,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  lastLoginAt: null,
  emailVerified: false,
  rolesVersion: 1,
  credentialsVersion: 1,
  ...overrides,
});

function fakeRepository(accounts: UserCredentials[]) {
  const writes: string[] = [];
  const repository = {
    findCredentialsByEmail: async (email: string) => accounts.find((a) => a.user.email === email) ?? null,
    insert: async () => {
      writes.push('insert');
      return true;
    },
    recordLogin: async (id: string) => {
      writes.push(`login:${id}`);
    },
  } as unknown as UserRepository;
  return { repository, writes };
}

describe('UserService.authenticate', () => {
  const accounts: UserCredentials[] = [
    { user: record(), passwordHash: 'hash(right password)' },
    { user: record({ id: 'u2', email: 'off@example.com', disabled: true }), passwordHash: 'hash(right password)' },
  ];

  it.each([
    ['an unknown email', 'nobody@example.com', 'right password'],
    ['a wrong password', 'ann@example.com', 'wrong password'],
    ['a disabled account with the right password', 'off@example.com', 'right password'],
  ])(
    'fails %s with InvalidCredentialsError after exactly one verify, writing nothing',
    async (_name, email, password) => {
      const { hasher, calls } = fakeHasher();
      const { repository, writes } = fakeRepository(accounts);
      const service = new UserService({ users: repository, passwords: hasher, now: () => 1000 });
      await expect(service.authenticate(email, password)).rejects.toBeInstanceOf(InvalidCredentialsError);
      expect(calls).toEqual(['verify']);
      expect(writes).toEqual([]);
    },
  );

  it('finds the account whatever the case, spacing or Unicode form of the email', async () => {
    const { hasher } = fakeHasher();
    const { repository, writes } = fakeRepository(accounts);
    const service = new UserService({ users: repository, passwords: hasher, now: () => 1000 });
    const user = await service.authenticate('  ＡＮＮ@Example.com ', 'right password');
    expect(user.lastLoginAt).toEqual(new Date(1000));
    expect(writes).toEqual(['login:u1']);
  });

  it('checks the password rules before touching the repository or argon2', async () => {
    const { hasher, calls } = fakeHasher();
    const { repository } = fakeRepository(accounts);
    const service = new UserService({ users: repository, passwords: hasher, now: () => 1000 });
    await expect(service.authenticate('ann@example.com', 'short')).rejects.toBeInstanceOf(InvalidInputError);
    expect(calls).toEqual([]);
  });
});

describe('UserService.register', () => {
  it('checks every rule before hashing or writing', async () => {
    const { hasher, calls } = fakeHasher();
    const { repository, writes } = fakeRepository([]);
    const service = new UserService({ users: repository, passwords: hasher, now: () => 1000 });
    for (const account of [
      { email: 'bad', password: 'long enough pw', displayName: 'A' },
      { email: 'a@example.com', password: 'short', displayName: 'A' },
      { email: 'a@example.com', password: 'long enough pw', displayName: '' },
    ]) {
      await expect(service.register(account)).rejects.toBeInstanceOf(InvalidInputError);
    }
    expect(calls).toEqual([]);
    expect(writes).toEqual([]);
  });
});
