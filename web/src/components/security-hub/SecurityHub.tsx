import { Stack, Title } from '@mantine/core';
import { useState } from 'react';
import { useSecuritySummary, type DangerousArtifact } from '../../api/security-hub';
import { useT } from '../../i18n/context';
import type { VulnerabilityFilter } from '../../lib/vulnerability-query';
import { ErrorAlert } from '../ErrorAlert';
import { SecuritySummaryPanel } from './SecuritySummaryPanel';
import { VulnerabilityFilterForm } from './VulnerabilityFilterForm';
import { VulnerabilityList } from './VulnerabilityList';

/** Harbor's Security Hub: the system's summary, and every vulnerability found, filtered on the server. */
export function SecurityHub() {
  const t = useT();
  const summary = useSecuritySummary();
  const [filter, setFilter] = useState<VulnerabilityFilter>({});
  // A new key remounts the form (showing the filter) and the list (back to page 1) for each search.
  const [searches, setSearches] = useState(0);
  function search(next: VulnerabilityFilter) {
    setFilter(next);
    setSearches((n) => n + 1);
  }
  const showArtifact = (artifact: DangerousArtifact) =>
    search({ repository: artifact.repository_name, digest: artifact.digest });
  return (
    <Stack data-testid="security-hub">
      <ErrorAlert error={summary.error} />
      {summary.data && (
        <SecuritySummaryPanel summary={summary.data} onArtifact={showArtifact} onCve={(cveId) => search({ cveId })} />
      )}
      <Title order={4}>{t('hub.vulnerabilities')}</Title>
      <VulnerabilityFilterForm key={`form-${searches}`} initial={filter} onSearch={search} />
      <VulnerabilityList key={`list-${searches}`} filter={filter} />
    </Stack>
  );
}
