import type { Migration } from 'kysely';
import { accountsModule } from './accounts/accounts.module';
import { adminModule } from './admin/admin.module';
import { articlesModule } from './articles/articles.module';
import { auditModule } from './audit/audit.module';
import { credentialsModule } from './credentials/credentials.module';
import type { Services, TollgateModule } from './module';
import { passkeysModule } from './passkeys/passkeys.module';
import { sessionModule } from './session/session.module';
import { twoFactorModule } from './two-factor/two-factor.module';
import { userModule } from './user/user.module';

/**
 * The one list of modules. A module is its folder plus one line here; services are
 * built in this order, so a module comes after those whose services it uses.
 */
export const MODULES: readonly TollgateModule[] = [
  userModule,
  auditModule,
  sessionModule,
  credentialsModule,
  accountsModule,
  adminModule,
  twoFactorModule,
  passkeysModule,
  articlesModule,
];

/** Every module's migrations in one map; two modules may not use the same name. */
export function allMigrations(modules: readonly TollgateModule[] = MODULES): Readonly<Record<string, Migration>> {
  const migrations: Record<string, Migration> = {};
  for (const module of modules) {
    for (const [name, migration] of Object.entries(module.migrations ?? {})) {
      if (name in migrations) throw new Error(`Two modules declare the migration ${name}`);
      migrations[name] = migration;
    }
  }
  return migrations;
}

/** Every module's resolver instances, over the given services. */
export function createResolvers(services: Services, modules: readonly TollgateModule[] = MODULES): object[] {
  return modules.flatMap((module) => module.createResolvers?.(services) ?? []);
}
