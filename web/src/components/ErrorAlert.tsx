import { Alert } from '@mantine/core';
import { ApiError } from '../api/client';
import { useT } from '../i18n/context';

/** An error in plain words: the API's own message when it sent one. */
export function ErrorAlert({ error, title }: { error: unknown; title?: string }) {
  const t = useT();
  if (!error) return null;
  const message = error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error);
  return (
    <Alert color="red" title={title ?? t('error.title')} role="alert" data-testid="error">
      {message}
    </Alert>
  );
}
