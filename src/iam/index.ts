// Users, projects, members, robot accounts and Harbor's RBAC: iam's public surface.
export * from './access.js';
export * from './rbac.js';
export * from './scopes.js';
export * from './settings.js';
export * from './shared-access.js';
export * from './bootstrap.js';
export * from './users/index.js';
export * from './projects/index.js';
export * from './members/index.js';
export * from './robots/index.js';
export type { Actor, NameMatch } from './actor.js';
