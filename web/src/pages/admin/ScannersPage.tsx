import { Stack } from '@mantine/core';
import { ScannersTable } from '../../components/scanning/ScannersTable';
import { VulnDbPanel } from '../../components/scanning/VulnDbPanel';

/** Harbor's Interrogation Services: the scanner registrations, and the built-in scanner's vulnerability database. */
export function ScannersPage() {
  return (
    <Stack>
      <ScannersTable />
      <VulnDbPanel />
    </Stack>
  );
}
