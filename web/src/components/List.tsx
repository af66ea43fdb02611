import { Center, Group, Pagination, Select, Table, Text, UnstyledButton } from '@mantine/core';
import { IconChevronDown, IconChevronUp, IconSelector } from '@tabler/icons-react';
import { useDebouncedValue } from '@mantine/hooks';
import { useState, type ReactNode } from 'react';
import { useT } from '../i18n/context';
import { sortParam } from '../lib/format';

// Server-side paging, sorting and search for every list: the page asks the API for one
// page (page, page_size, sort, q) and shows X-Total-Count.

export interface Sort {
  column: string;
  desc: boolean;
}

export function useListState(initialSort?: Sort) {
  const [page, setPage] = useState(1);
  const [pageSize, setPageSizeState] = useState(10);
  const [sort, setSortState] = useState<Sort | undefined>(initialSort);
  const [search, setSearchState] = useState('');
  const [debouncedSearch] = useDebouncedValue(search, 250);
  return {
    page,
    pageSize,
    sort,
    search,
    debouncedSearch,
    setPage,
    setPageSize(size: number) {
      setPageSizeState(size);
      setPage(1);
    },
    setSearch(value: string) {
      setSearchState(value);
      setPage(1);
    },
    /** Clicking a column sorts by it ascending, then descending. */
    toggleSort(column: string) {
      setSortState((current) => ({ column, desc: current?.column === column ? !current.desc : false }));
      setPage(1);
    },
    params: { page, page_size: pageSize, sort: sortParam(sort) },
  };
}

export type ListState = ReturnType<typeof useListState>;

export function SortableTh({ column, list, children }: { column: string; list: ListState; children: ReactNode }) {
  const active = list.sort?.column === column;
  const Icon = active ? (list.sort?.desc ? IconChevronDown : IconChevronUp) : IconSelector;
  return (
    <Table.Th aria-sort={active ? (list.sort?.desc ? 'descending' : 'ascending') : 'none'}>
      <UnstyledButton onClick={() => list.toggleSort(column)} data-sort={column}>
        <Group gap={4} wrap="nowrap">
          <Text fw={600} size="sm">
            {children}
          </Text>
          <Icon size={14} aria-hidden />
        </Group>
      </UnstyledButton>
    </Table.Th>
  );
}

export function ListFooter({ list, total }: { list: ListState; total: number }) {
  const t = useT();
  const pages = Math.max(1, Math.ceil(total / list.pageSize));
  return (
    <Group justify="space-between" mt="sm">
      <Text size="sm" c="dimmed" data-testid="total">
        {t('list.total', { total })}
      </Text>
      <Group gap="sm">
        <Select
          aria-label={t('list.pageSize')}
          w={90}
          size="xs"
          data={['10', '25', '50', '100']}
          value={String(list.pageSize)}
          onChange={(value) => value && list.setPageSize(Number(value))}
          allowDeselect={false}
        />
        <Pagination
          size="sm"
          total={pages}
          value={list.page}
          onChange={list.setPage}
          getControlProps={(control) => ({ 'aria-label': t(`list.${control}`) })}
        />
      </Group>
    </Group>
  );
}

export function EmptyRow({ columns, children }: { columns: number; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Td colSpan={columns}>
        <Center py="xl">
          <Text c="dimmed" data-testid="empty">
            {children}
          </Text>
        </Center>
      </Table.Td>
    </Table.Tr>
  );
}
