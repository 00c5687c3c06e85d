import { defineModule } from '../module';
import { AccountAdminService } from './account-admin.service';
import { AdminResolver } from './admin.resolver';

declare module '../module' {
  interface Services {
    readonly accounts: AccountAdminService;
  }
}

/** What an ADMIN does to other accounts (roles, disabling) and reads (the audit log). */
export const adminModule = defineModule({
  name: 'admin',
  createServices: ({ now }, { userRepository, sessions, revocations, audit }) => ({
    accounts: new AccountAdminService({ users: userRepository, sessions, revocations, audit, now }),
  }),
  createResolvers: ({ accounts, auditEvents }) => [new AdminResolver(accounts, auditEvents)],
});
