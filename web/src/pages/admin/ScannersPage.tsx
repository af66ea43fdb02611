import { Stack, Tabs } from '@mantine/core';
import { useSearchParams } from 'react-router';
import { ScannersTable } from '../../components/scanning/ScannersTable';
import { VulnDbPanel } from '../../components/scanning/VulnDbPanel';
import { SecurityHub } from '../../components/security-hub/SecurityHub';
import { useT } from '../../i18n/context';

/**
 * Harbor's Interrogation Services: the scanner registrations and the built-in scanner's vulnerability
 * database, and the Security Hub tab (?tab=security-hub, so that a link opens it).
 */
export function ScannersPage() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'security-hub' ? 'security-hub' : 'scanners';
  return (
    <Tabs
      value={tab}
      variant="pills"
      onChange={(next) => setParams(next === 'security-hub' ? { tab: next } : {}, { replace: true })}
    >
      <Tabs.List mb="md">
        <Tabs.Tab value="scanners">{t('scanners.title')}</Tabs.Tab>
        <Tabs.Tab value="security-hub">{t('hub.title')}</Tabs.Tab>
      </Tabs.List>
      <Tabs.Panel value="scanners">
        <Stack>
          <ScannersTable />
          <VulnDbPanel />
        </Stack>
      </Tabs.Panel>
      <Tabs.Panel value="security-hub">{tab === 'security-hub' && <SecurityHub />}</Tabs.Panel>
    </Tabs>
  );
}
