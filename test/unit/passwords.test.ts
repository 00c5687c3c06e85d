import argon2 from 'argon2';
import { ARGON2_PARAMS, createPasswordHasher, normalizePassword } from '../../src/auth/passwords';
import { InvalidInputError } from '../../src/errors/domain-errors';

describe('normalizePassword', () => {
  it.each([
    ['7 ASCII characters', 'a'.repeat(7)],
    ['129 ASCII characters', 'a'.repeat(129)],
    ['7 emoji (14 UTF-16 units)', '🔒'.repeat(7)],
    ['129 emoji', '🔒'.repeat(129)],
    ['empty', ''],
  ])('refuses %s with a typed input error', (_name, password) => {
    expect(() => normalizePassword(password)).toThrow(InvalidInputError);
  });

  it.each([
    ['8 ASCII characters', 'a'.repeat(8)],
    ['128 ASCII characters', 'a'.repeat(128)],
    ['8 emoji', '🔒'.repeat(8)],
    ['128 emoji (256 UTF-16 units)', '🔒'.repeat(128)],
  ])('accepts %s without changing its length', (_name, password) => {
    expect(normalizePassword(password)).toBe(password);
  });

  it('folds composed and decomposed forms to one spelling', () => {
    expect(normalizePassword('cafe\u0301-au-lait')).toBe(normalizePassword('caf\u00e9-au-lait'));
  });
});

describe('password hasher', () => {
  it('hashes with argon2id at m=19456, t=2, p=1 and verifies', async () => {
    const hasher = await createPasswordHasher();
    const hash = await hasher.hash('correct horse battery');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    await expect(hasher.verify(hash, 'correct horse battery')).resolves.toEqual({ ok: true, needsRehash: false });
    await expect(hasher.verify(hash, 'correct horse batterY')).resolves.toEqual({ ok: false, needsRehash: false });
  });

  it('flags hashes made with weaker parameters for an upgrade, only when the password matched', async () => {
    const hasher = await createPasswordHasher();
    const old = await argon2.hash('old password!', {
      type: argon2.argon2id,
      memoryCost: 4096,
      timeCost: 1,
      parallelism: 1,
    });
    await expect(hasher.verify(old, 'old password!')).resolves.toEqual({ ok: true, needsRehash: true });
    await expect(hasher.verify(old, 'wrong password')).resolves.toEqual({ ok: false, needsRehash: false });
  });

  it('does real argon2 work for an unknown account', async () => {
    const verify = jest.spyOn(argon2, 'verify');
    const hasher = await createPasswordHasher({ params: ARGON2_PARAMS });
    await hasher.verifyAgainstDummy('whatever-password');
    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify.mock.calls[0]![0]).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    verify.mockRestore();
  });
});
