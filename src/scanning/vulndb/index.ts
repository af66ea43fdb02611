// The built-in scanner's vulnerability database: OSV advisories imported into the Berth
// database (`berth vulndb import`) and matched against an image's packages.

export { importAdvisories, describeImport, type ImportOptions, type ImportSummary } from './import.js';
export { createVulnDb, findingId } from './match.js';
export { advisorySeverity, severityOfScore, severityOfWord } from './severity.js';
export { cvss2BaseScore, cvss3BaseScore } from './cvss.js';
