// Projects: Harbor's project operations and metadata.
export {
  createProjectService,
  parseProjectRequest,
  projectNameProblem,
  type ProjectService,
  type ProjectView,
  type ProjectSummary,
  type ProjectStatistics,
  type Actor,
} from './service.js';
export type { ProjectFilter, ProjectSort, NameMatch, ProjectRow } from './repo.js';
export { metadataKeys, type Metadata } from './metadata.js';
