import { Alert, Stack, Tabs, Title } from '@mantine/core';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { useCurrentUser } from '../../api/session';
import { useT } from '../../i18n/context';
import type { MessageKey } from '../../i18n/en';

export const adminTabs: { path: string; label: MessageKey }[] = [
  { path: 'users', label: 'admin.users' },
  { path: 'robots', label: 'admin.robots' },
  { path: 'audit-logs', label: 'admin.auditLog' },
  { path: 'labels', label: 'admin.labels' },
  { path: 'quotas', label: 'admin.quotas' },
  { path: 'gc', label: 'admin.gc' },
  { path: 'interrogation-services', label: 'admin.scanners' },
  { path: 'configuration', label: 'admin.configuration' },
];

/** The administration pages; anyone but a system administrator is told they are not allowed. */
export function AdminPage() {
  const t = useT();
  const user = useCurrentUser();
  const navigate = useNavigate();
  const location = useLocation();
  const active = adminTabs.find((tab) => location.pathname.split('/')[2] === tab.path)?.path ?? 'users';
  if (!user.data?.sysadmin_flag) {
    return (
      <Alert color="yellow" title={t('admin.notAllowedTitle')} data-testid="not-allowed">
        {t('admin.notAllowed')}
      </Alert>
    );
  }
  return (
    <Stack>
      <Title order={2}>{t('nav.administration')}</Title>
      <Tabs value={active} onChange={(tab) => tab && void navigate(`/admin/${tab}`)}>
        <Tabs.List aria-label={t('nav.administration')}>
          {adminTabs.map((tab) => (
            <Tabs.Tab key={tab.path} value={tab.path}>
              {t(tab.label)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <Outlet />
    </Stack>
  );
}
