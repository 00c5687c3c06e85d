import { can, fieldPolicies, policyOf, type FieldCoordinate, type Viewer } from '../../client/src';

const viewer = (id: string, roles: Viewer['roles']) => ({ id, roles });
const ann = viewer('ann', ['USER']);
const editor = viewer('ed', ['EDITOR']);
const admin = viewer('root', ['ADMIN']);

describe('can(viewer, coordinate, context)', () => {
  it('lets anyone read a public field', () => {
    expect(can(null, 'Query.me')).toBe(true);
    expect(can(null, 'User.displayName')).toBe(true);
  });

  it('asks for a signed-in viewer for SIGNED_IN', () => {
    expect(can(null, 'Query.mySessions')).toBe(false);
    expect(can(ann, 'Query.mySessions')).toBe(true);
  });

  it('lets a role include the roles below it, never above', () => {
    expect(policyOf('Query.users')).toEqual(['ADMIN']);
    expect(can(ann, 'Query.users')).toBe(false);
    expect(can(editor, 'Query.users')).toBe(false);
    expect(can(admin, 'Query.users')).toBe(true);
  });

  it('grants SELF only to the owner named in the context; an unknown owner is not the viewer', () => {
    expect(can(ann, 'User.email', { ownerId: 'ann' })).toBe(true);
    expect(can(ann, 'User.email', { ownerId: 'bob' })).toBe(false);
    expect(can(ann, 'User.email')).toBe(false);
    expect(can(ann, 'User.email', { ownerId: null })).toBe(false);
    expect(can(null, 'User.email', { ownerId: 'ann' })).toBe(false);
    // Any one rule suffices: ADMIN reads anyone's email.
    expect(can(admin, 'User.email', { ownerId: 'bob' })).toBe(true);
  });

  it('denies a coordinate it does not know (a caller without types, a newer schema)', () => {
    expect(can(admin, 'Query.nothing' as FieldCoordinate)).toBe(false);
  });

  it('type-checks coordinates against the schema', () => {
    // Each line below is a compile error: `npm run typecheck` fails if one of them compiles.
    // @ts-expect-error a misspelt field
    expect(can(admin, 'Query.userz')).toBe(false);
    // @ts-expect-error a type that does not exist
    expect(can(admin, 'Usr.email')).toBe(false);
    // @ts-expect-error not a coordinate at all
    expect(can(admin, 'email')).toBe(false);
    // @ts-expect-error ownership context, not a bare id
    expect(can(admin, 'User.email', 'ann')).toBe(true);
    const every: FieldCoordinate[] = Object.keys(fieldPolicies) as FieldCoordinate[];
    expect(every.length).toBeGreaterThan(0);
  });
});
