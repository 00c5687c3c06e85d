import { decideAccess, issuedToCaller } from '../../src/auth/access';
import type { AuthRule } from '../../src/auth/policies';
import { Role } from '../../src/auth/roles';
import type { Viewer } from '../../src/auth/tokens';
import { testViewer } from '../helpers/viewers';

const viewer = (id: string, ...roles: Role[]): Viewer => testViewer(id, roles);
const anonymous = null;
const user = viewer('u1', Role.USER);
const editor = viewer('e1', Role.EDITOR);
const admin = viewer('a1', Role.ADMIN);

describe('decideAccess', () => {
  const cases: Array<[string, Viewer | null, AuthRule[], unknown, 'allowed' | 'UNAUTHENTICATED' | 'FORBIDDEN']> = [
    ['anonymous, SIGNED_IN', anonymous, ['SIGNED_IN'], undefined, 'UNAUTHENTICATED'],
    ['USER, SIGNED_IN', user, ['SIGNED_IN'], undefined, 'allowed'],
    ['anonymous, ADMIN', anonymous, ['ADMIN'], undefined, 'UNAUTHENTICATED'],
    ['USER, USER', user, ['USER'], undefined, 'allowed'],
    ['USER, EDITOR', user, ['EDITOR'], undefined, 'FORBIDDEN'],
    ['USER, ADMIN', user, ['ADMIN'], undefined, 'FORBIDDEN'],
    ['EDITOR, USER (hierarchy)', editor, ['USER'], undefined, 'allowed'],
    ['EDITOR, EDITOR', editor, ['EDITOR'], undefined, 'allowed'],
    ['EDITOR, ADMIN', editor, ['ADMIN'], undefined, 'FORBIDDEN'],
    ['ADMIN, USER (hierarchy)', admin, ['USER'], undefined, 'allowed'],
    ['ADMIN, EDITOR (hierarchy)', admin, ['EDITOR'], undefined, 'allowed'],
    ['USER, SELF on themself', user, ['SELF', 'ADMIN'], { id: 'u1' }, 'allowed'],
    ['USER, SELF on someone else', user, ['SELF', 'ADMIN'], { id: 'u2' }, 'FORBIDDEN'],
    ['ADMIN, SELF or ADMIN on someone else', admin, ['SELF', 'ADMIN'], { id: 'u2' }, 'allowed'],
    ['EDITOR, SELF or ADMIN on someone else', editor, ['SELF', 'ADMIN'], { id: 'u2' }, 'FORBIDDEN'],
    ['anonymous, SELF on a user', anonymous, ['SELF'], { id: 'u1' }, 'UNAUTHENTICATED'],
    ['USER, SELF with no parent', user, ['SELF'], undefined, 'FORBIDDEN'],
    ['USER, SELF on a parent with a numeric id', user, ['SELF'], { id: 1 }, 'FORBIDDEN'],
    ['USER, no rules at all', user, [], undefined, 'FORBIDDEN'],
  ];

  // Owned by itself, as a User is.
  const ownedByItself = (parent: object) => (parent as { id?: string }).id;

  it.each(cases)('%s', (_name, who, rules, parent, expected) => {
    const decision = decideAccess(who, rules, parent, ownedByItself);
    if (expected === 'allowed') {
      expect(decision).toEqual({ allowed: true });
    } else {
      expect(decision).toEqual({ allowed: false, code: expected, requires: rules });
    }
  });

  it('treats a user object issued to the caller as theirs, even on an anonymous request', () => {
    const justLoggedIn = issuedToCaller({ id: 'u9' });
    expect(decideAccess(anonymous, ['SELF', 'ADMIN'], justLoggedIn, ownedByItself)).toEqual({ allowed: true });
    // Only an object that carries it: a look-alike is not vouched for.
    expect(decideAccess(anonymous, ['SELF', 'ADMIN'], { id: 'u9' }, ownedByItself).allowed).toBe(false);
    expect(decideAccess(anonymous, ['SELF'], { id: 'u9', issuedToCaller: 'u9' }, ownedByItself).allowed).toBe(false);
    // It vouches for ownership only, never for a role.
    expect(decideAccess(anonymous, ['ADMIN'], justLoggedIn, ownedByItself).allowed).toBe(false);
  });

  describe('the owner is named by the type, never guessed', () => {
    const session = { id: 's1', userId: 'u1' };
    const sessionOwner = (parent: object) => (parent as typeof session).userId;

    it('finds the owner with the rule it is given', () => {
      expect(decideAccess(user, ['SELF'], session, sessionOwner).allowed).toBe(true);
      // The same object judged by the id of the parent itself belongs to nobody signed in.
      expect(decideAccess(user, ['SELF'], session, ownedByItself).allowed).toBe(false);
    });

    it('allows no owner at all when the type states no owner rule', () => {
      expect(decideAccess(user, ['SELF'], { id: 'u1', userId: 'u1' })).toEqual({
        allowed: false,
        code: 'FORBIDDEN',
        requires: ['SELF'],
      });
    });

    it('never matches an owner that is not a string id', () => {
      for (const ownerId of [null, undefined, 1, { id: 'u1' }]) {
        expect(decideAccess(user, ['SELF'], {}, () => ownerId as never).allowed).toBe(false);
      }
    });
  });
});
