import { LRUCache } from 'lru-cache';
import type { ManifestPull, PullCheck } from '../../feature.js';
import type { ProjectRef } from '../../iam/index.js';
import { BerthError } from '../../shared/errors.js';
import { severities, type Severity } from '../model.js';
import { manifestMediaTypes, vulnerabilityReportTypes } from '../scanners/adapter.js';
import type { ScannerService } from '../scanners/service.js';
import type { VulnerabilityReport } from '../scans/reports.js';
import type { ReportRepo } from '../scans/repo.js';
import type { Allowlists } from './allowlists.js';

// Harbor's vulnerability prevention (server/middleware/vulnerable): a project with prevent_vul
// refuses a pull (412 PROJECTPOLICYVIOLATION, Harbor's words) of an image that is not scanned,
// whose scan did not succeed, or whose report has vulnerabilities at or above the project's
// severity that its CVE allowlist does not name. Indexes pass (their images are checked when
// pulled), as do artifacts the project's scanner cannot scan and a scanner's own pulls (its
// token grants scanner-pull). Projects without the policy
// cost one cached lookup per pull.

export interface PullCheckDeps {
  project(name: string): Promise<ProjectRef | undefined>;
  scanners: Pick<ScannerService, 'ofProject'>;
  reports: Pick<ReportRepo, 'reports'>;
  allowlists: Pick<Allowlists, 'effective'>;
}

const rank = (severity: string) => severities.indexOf(severity as Severity);
const titled = (severity: string) => severity.charAt(0).toUpperCase() + severity.slice(1).toLowerCase();

function policyLine(severity: string): string {
  return `configured policy in 'Prevent images with vulnerability severity of "${severity}" or higher from running.'`;
}

export function vulnerabilityPullCheck(deps: PullCheckDeps): PullCheck {
  // A report never changes once written (a rescan writes a new row): its vulnerabilities are kept by report id.
  const parsed = new LRUCache<string, { id: string; severity: Severity }[]>({ max: 2_000 });

  async function vulnerabilitiesOf(uuid: string, report: string): Promise<{ id: string; severity: Severity }[]> {
    let list = parsed.get(uuid);
    if (!list) {
      list = (JSON.parse(report) as VulnerabilityReport).vulnerabilities.map((v) => ({
        id: v.id,
        severity: v.severity,
      }));
      parsed.set(uuid, list);
    }
    return list;
  }

  return async ({ repository, manifest, isScannerPull }: ManifestPull) => {
    const project = await deps.project(repository.slice(0, repository.indexOf('/')));
    if (!project?.preventVul) return;
    if (!manifestMediaTypes.includes(manifest.mediaType)) return;
    // The scanner pulling the image to scan it (Harbor's util.SkipPolicyChecking).
    if (await isScannerPull()) return;
    const registration = await deps.scanners.ofProject(project.id);
    if (!registration) return;
    const threshold = titled(project.severity);
    const [row] = await deps.reports.reports([manifest.digest], registration.uuid, vulnerabilityReportTypes);
    if (!row)
      throw new BerthError(
        'PROJECTPOLICYVIOLATION',
        `current image without vulnerability scanning cannot be pulled due to ${policyLine(threshold)} ` +
          'To continue with pull, please contact your project administrator for help.',
      );
    if (row.status !== 'Success' || row.report === null)
      throw new BerthError(
        'PROJECTPOLICYVIOLATION',
        `current image with "${row.status}" status of vulnerability scanning cannot be pulled due to ${policyLine(threshold)} ` +
          'To continue with pull, please contact your project administrator for help.',
      );
    const allowed = await deps.allowlists.effective(project.id, project.reuseSysCveAllowlist);
    const blocking = (await vulnerabilitiesOf(row.uuid, row.report)).filter(
      (v) => !allowed.has(v.id) && rank(v.severity) >= rank(threshold),
    );
    if (blocking.length > 0)
      throw new BerthError(
        'PROJECTPOLICYVIOLATION',
        `current image with ${String(blocking.length)} ${blocking.length > 1 ? 'vulnerabilities' : 'vulnerability'} cannot be pulled due to ${policyLine(threshold)} ` +
          'To continue with pull, please contact your project administrator to exempt matched vulnerabilities through configuring the CVE allowlist.',
      );
  };
}
