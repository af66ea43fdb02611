import { Alert, Button, Card, Center, Group, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useApi } from '../api/context';
import { currentUserKey } from '../api/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { LanguageSwitch, ThemeSwitch } from '../components/Layout';
import { useT } from '../i18n/context';

/** Only paths inside the portal: a redirect parameter must not send the user elsewhere. */
export function safeRedirect(value: string | null): string {
  return value && value.startsWith('/') && !value.startsWith('//') ? value : '/projects';
}

export function LoginPage() {
  const t = useT();
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      await api.login(username, password);
      await queryClient.resetQueries({ queryKey: currentUserKey });
      void navigate(safeRedirect(params.get('redirect')), { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  }

  return (
    <Center mih="100vh" p="md">
      <Card withBorder shadow="sm" w={380} padding="xl">
        <form onSubmit={(event) => void submit(event)}>
          <Stack>
            <Group justify="space-between">
              <Title order={2}>Berth</Title>
              <Group gap="xs">
                <LanguageSwitch />
                <ThemeSwitch />
              </Group>
            </Group>
            {params.get('reason') === 'password-changed' && (
              <Alert color="green" data-testid="login-notice">
                {t('account.passwordChanged')}
              </Alert>
            )}
            <TextInput
              label={t('login.username')}
              name="principal"
              autoComplete="username"
              required
              value={username}
              onChange={(e) => setUsername(e.currentTarget.value)}
              data-autofocus
            />
            <PasswordInput
              label={t('login.password')}
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            <ErrorAlert error={error} title={t('login.failed')} />
            <Button type="submit" loading={pending}>
              {t('login.submit')}
            </Button>
          </Stack>
        </form>
      </Card>
    </Center>
  );
}
