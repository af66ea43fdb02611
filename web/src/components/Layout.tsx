import {
  ActionIcon,
  Anchor,
  AppShell,
  Button,
  Center,
  Group,
  Loader,
  NativeSelect,
  Text,
  Title,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { IconKey, IconLogout, IconMoon, IconSun } from '@tabler/icons-react';
import { Suspense, lazy, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Link, Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { ApiError } from '../api/client';
import { useApi } from '../api/context';
import { useCurrentUser } from '../api/session';
import type { User } from '../api/types';
import { isLanguage, languages, useI18n } from '../i18n/context';
import { ErrorAlert } from './ErrorAlert';
import { GlobalSearch } from './GlobalSearch';

// The frame uses no popovers (native select, plain buttons), so the first load needs no floating-ui.
export function LanguageSwitch() {
  const { language, setLanguage, t } = useI18n();
  return (
    <NativeSelect
      aria-label={t('app.language')}
      data-testid="language"
      size="xs"
      w={120}
      data={Object.entries(languages).map(([value, { label }]) => ({ value, label }))}
      value={language}
      onChange={(event) => {
        const value = event.currentTarget.value;
        if (isLanguage(value)) setLanguage(value);
      }}
    />
  );
}

export function ThemeSwitch() {
  const { t } = useI18n();
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');
  const next = scheme === 'dark' ? 'light' : 'dark';
  return (
    <ActionIcon
      variant="default"
      size="lg"
      aria-label={t(next === 'dark' ? 'app.darkTheme' : 'app.lightTheme')}
      onClick={() => setColorScheme(next)}
      data-testid="theme"
    >
      {scheme === 'dark' ? <IconSun size={18} /> : <IconMoon size={18} />}
    </ActionIcon>
  );
}

// The dialog is its own chunk: the frame stays small until someone changes a password.
const ChangePasswordDialog = lazy(async () => ({
  default: (await import('./account/ChangePasswordDialog')).ChangePasswordDialog,
}));

function UserMenu({ user }: { user: User }) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [changing, setChanging] = useState(false);
  async function logOut() {
    await api.logout().catch(() => undefined);
    queryClient.clear();
    void navigate('/login');
  }
  // Berth ends every session of a user whose password changes: log in again with the new one.
  function passwordChanged() {
    setChanging(false);
    void navigate('/login?reason=password-changed', { replace: true });
    queryClient.clear();
  }
  return (
    <Group gap={4} data-testid="user-menu">
      <Text size="sm">{user.username}</Text>
      <Button variant="subtle" size="xs" leftSection={<IconKey size={14} />} onClick={() => setChanging(true)}>
        {t('account.changePassword')}
      </Button>
      <Button variant="subtle" size="xs" leftSection={<IconLogout size={14} />} onClick={() => void logOut()}>
        {t('app.logout')}
      </Button>
      {changing && (
        <Suspense fallback={null}>
          <ChangePasswordDialog userId={user.user_id} onClose={() => setChanging(false)} onChanged={passwordChanged} />
        </Suspense>
      )}
    </Group>
  );
}

/** The signed-in frame: header with navigation, language, theme and user menu; login when there is no session. */
export function Layout() {
  const { t } = useI18n();
  const location = useLocation();
  const user = useCurrentUser();
  if (user.isPending) {
    return (
      <Center h="100vh">
        <Loader aria-label={t('app.loading')} />
      </Center>
    );
  }
  if (user.error instanceof ApiError && user.error.status === 401) {
    return <Navigate to={`/login?redirect=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  }
  return (
    <AppShell header={{ height: 56 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="lg">
            <Anchor component={Link} to="/projects" underline="never">
              <Title order={3}>Berth</Title>
            </Anchor>
            <Anchor component={Link} to="/projects">
              {t('nav.projects')}
            </Anchor>
            {user.data?.sysadmin_flag && (
              <Anchor component={Link} to="/admin/users">
                {t('nav.administration')}
              </Anchor>
            )}
          </Group>
          <Group gap="sm">
            {user.data && <GlobalSearch />}
            <LanguageSwitch />
            <ThemeSwitch />
            {user.data && <UserMenu user={user.data} />}
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <ErrorAlert error={user.error} />
        {user.data && <Outlet />}
      </AppShell.Main>
    </AppShell>
  );
}
