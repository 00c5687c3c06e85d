import { decideAccess, markAsCaller } from '../../src/auth/access';
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

  it.each(cases)('%s', (_name, who, rules, parent, expected) => {
    const decision = decideAccess(who, rules, parent);
    if (expected === 'allowed') {
      expect(decision).toEqual({ allowed: true });
    } else {
      expect(decision).toEqual({ allowed: false, code: expected, requires: rules });
    }
  });

  it('treats an object the server marked as the caller as SELF, even on an anonymous request', () => {
    const justLoggedIn = markAsCaller({ id: 'u9' });
    expect(decideAccess(anonymous, ['SELF', 'ADMIN'], justLoggedIn)).toEqual({ allowed: true });
    // Only that very object: a look-alike is not vouched for.
    expect(decideAccess(anonymous, ['SELF', 'ADMIN'], { id: 'u9' }).allowed).toBe(false);
    // Marking vouches for SELF only, never for a role.
    expect(decideAccess(anonymous, ['ADMIN'], justLoggedIn).allowed).toBe(false);
  });
});
