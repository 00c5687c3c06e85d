import { defineModule } from '../module';
import * as createUsers from './migrations/0001_create_users';
import * as roleMask from './migrations/0007_role_mask';
import { UserRepository } from './user.repository';
import { UserResolver } from './user.resolver';
import { UserService } from './user.service';

declare module '../module' {
  interface Services {
    readonly users: UserService;
    /** For the modules that change accounts (sessions, administration). */
    readonly userRepository: UserRepository;
  }
}

/** Accounts: who exists, their credentials and roles; `me`, `user`, `users`. */
export const userModule = defineModule({
  name: 'user',
  migrations: { '0001_create_users': createUsers, '0007_role_mask': roleMask },
  createServices({ database, passwords, now }) {
    const userRepository = new UserRepository(database.db, database.dialect);
    return { userRepository, users: new UserService({ users: userRepository, passwords, now }) };
  },
  createResolvers: ({ users }) => [new UserResolver(users)],
});
