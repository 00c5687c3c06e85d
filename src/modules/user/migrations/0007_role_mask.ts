import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations describe the schema as it was then
export async function up(db: Kysely<any>): Promise<void> {
  // Roles were a comma-separated column, and "is an ADMIN" a LIKE '%ADMIN%' that a role named
  // SUBADMIN would have passed. Now one bit per role (USER 1, EDITOR 2, ADMIN 4; fixed forever).
  await db.schema
    .alterTable('users')
    .addColumn('role_mask', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
  // Whole names between commas, the one time the old column is read.
  const has = (role: string) => sql`case when (',' || roles || ',') like ${`%,${role},%`} then 1 else 0 end`;
  await db
    .updateTable('users')
    .set({ role_mask: sql`${has('USER')} * 1 + ${has('EDITOR')} * 2 + ${has('ADMIN')} * 4` })
    .execute();
  await db.schema.alterTable('users').dropColumn('roles').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('roles', 'varchar(64)', (col) => col.notNull().defaultTo('USER'))
    .execute();
  const name = (bit: number, role: string) => sql`case when (role_mask & ${bit}) <> 0 then ${`${role},`} else '' end`;
  await db
    .updateTable('users')
    .set({ roles: sql`rtrim(${name(1, 'USER')} || ${name(2, 'EDITOR')} || ${name(4, 'ADMIN')}, ',')` })
    .execute();
  await db.schema.alterTable('users').dropColumn('role_mask').execute();
}
