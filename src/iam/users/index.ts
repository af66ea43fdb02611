// Database users: Harbor's /users use cases.
export {
  createUserService,
  usernameProblem,
  firstAdminId,
  type UserService,
  type Actor,
  type NewUser,
  type ProfileChange,
} from './service.js';
export type { UserRow, UserFilter, UserColumn, UserListQuery } from './repo.js';
