import type { Feature } from '../../feature.js';
import type { Config } from '../../config/index.js';
import type { Clock } from '../../shared/clock.js';
import type {
  AccessControl,
  RobotService,
  UserService,
  ProjectService,
  MemberService,
  SettingsStore,
} from '../../iam/index.js';
import type { Security } from './security.js';
import type { AuditLog } from '../../audit/index.js';
import type { ArtifactService } from '../../artifacts/index.js';
import type { JobService } from '../../jobs/index.js';
import type { HealthCheck } from '../health.js';

/**
 * Everything the REST API's route modules may be given, built in main.ts; each module
 * declares the few it uses (`Pick<ApiDeps, …>`) and receives nothing else.
 */
export interface ApiDeps {
  config: Config;
  clock: Clock;
  access: AccessControl;
  security: Security;
  audit: AuditLog;
  robots: RobotService;
  users: UserService;
  projects: ProjectService;
  members: MemberService;
  artifacts: ArtifactService;
  jobs: JobService;
  /** What administrators change at runtime (PUT /configurations). */
  settings: SettingsStore;
  /** Harbor's health components by name (core, database, redis, storage, jobservice). */
  health: Record<string, HealthCheck>;
  /** The features main.ts mounted (src/feature.ts): their routes and project summary fields. */
  features?: Feature[];
}
