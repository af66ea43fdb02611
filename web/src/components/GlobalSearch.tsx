import { TextInput } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useLocation, useNavigate, useSearchParams } from 'react-router';
import { useI18n } from '../i18n/context';

/** The header's search box, as Harbor's: Enter opens /search?q=… with matching projects and repositories. */
export function GlobalSearch() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const [keyword, setKeyword] = useState(location.pathname === '/search' ? (params.get('q') ?? '') : '');
  function submit(event: FormEvent) {
    event.preventDefault();
    const q = keyword.trim();
    if (q) void navigate(`/search?q=${encodeURIComponent(q)}`);
  }
  return (
    <form role="search" onSubmit={submit}>
      <TextInput
        aria-label={t('search.label')}
        placeholder={t('search.placeholder')}
        leftSection={<IconSearch size={16} />}
        size="xs"
        w={240}
        value={keyword}
        onChange={(e) => setKeyword(e.currentTarget.value)}
        data-testid="global-search"
      />
    </form>
  );
}
