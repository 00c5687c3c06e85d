import type { GraphQLSchema } from 'graphql';
import { decideAccess } from '../auth/access';
import type { Viewer } from '../auth/tokens';
import { Role } from '../auth/roles';
import { fieldsWithPolicies } from './directives';

/** Who asks, in the matrix's columns. The owner column is the signed-in owner of the parent object. */
const CALLERS: ReadonlyArray<{ readonly title: string; readonly viewer: Viewer | null; readonly owns: boolean }> = [
  { title: 'anonymous', viewer: null, owns: false },
  { title: 'USER, owner', viewer: caller('owner', Role.USER), owns: true },
  { title: 'USER', viewer: caller('user', Role.USER), owns: false },
  { title: 'EDITOR', viewer: caller('editor', Role.EDITOR), owns: false },
  { title: 'ADMIN', viewer: caller('admin', Role.ADMIN), owns: false },
];

function caller(id: string, role: Role): Viewer {
  return { id, roles: [role], sessionId: id, rolesVersion: 1, tokenId: id, issuedAt: 0, expiresAt: 0 };
}

/**
 * Who may read each field, as a Markdown table: every field of the schema against
 * anonymous, the owner, another USER, an EDITOR and an ADMIN. Computed with the same
 * decideAccess the server runs, from the policies the schema carries.
 */
export function permissionMatrix(schema: GraphQLSchema): string {
  const rows = [...fieldsWithPolicies(schema)]
    .map(({ type, field, policy }) => {
      const cells = CALLERS.map(({ viewer, owns }) => {
        if (!policy) return '?';
        if (policy.kind === 'public') return '✓';
        // The parent's owner is the caller in the owner column and someone else in the others.
        const owner = () => (owns && viewer ? viewer.id : 'someone-else');
        return decideAccess(viewer, policy.anyOf, {}, owner).allowed ? '✓' : '—';
      });
      return { name: `\`${type.name}.${field.name}\``, cells };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  const header = ['field', ...CALLERS.map((c) => c.title)];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((r) => [r.name, ...r.cells][i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map((r) => line([r.name, ...r.cells])),
  ].join('\n');
}
