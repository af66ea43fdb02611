// Robot accounts: the public surface of src/iam/robots.
export {
  createRobotService,
  parseRobotCreate,
  parseRobotUpdate,
  parseRobotSec,
  defaultRobotDurationDays,
} from './service.js';
export type { RobotService, RobotView, RobotCreated, RobotDraft, RobotChanges, RobotLevel, Actor } from './service.js';
export { robotSortColumns } from './repo.js';
export type { RobotFilter, RobotListing, RobotSortColumn, NameMatch } from './repo.js';
export { systemPermissions, projectPermissions, isGrantable } from './catalogue.js';
export type { Permission } from './catalogue.js';
