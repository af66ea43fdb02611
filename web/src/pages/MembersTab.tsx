import { Button, Group, Modal, Select, Stack, Table, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useMemberWrites, useMembers } from '../api/members';
import { useProjectPermissions } from '../api/permissions';
import { projectRoles, type Member } from '../api/types';
import { ConfirmDialog, DialogButtons } from '../components/ConfirmDialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { EmptyRow, ListFooter, useListState } from '../components/List';
import { DeleteButton } from '../components/RowActions';
import { useT } from '../i18n/context';
import { useRouteProject } from './ProjectPage';
import { roleKeys } from './roles';

function useRoleOptions() {
  const t = useT();
  return projectRoles.map((id) => ({ value: String(id), label: t(roleKeys[id]) }));
}

function AddMemberDialog({ projectId, opened, onClose }: { projectId: string; opened: boolean; onClose(): void }) {
  const t = useT();
  const { add } = useMemberWrites(projectId);
  const roles = useRoleOptions();
  const [username, setUsername] = useState('');
  const [roleId, setRoleId] = useState('2');
  function close() {
    add.reset();
    setUsername('');
    onClose();
  }
  function submit(event: FormEvent) {
    event.preventDefault();
    add.mutate({ username: username.trim(), roleId: Number(roleId) }, { onSuccess: close });
  }
  return (
    <Modal opened={opened} onClose={close} title={t('members.add')} centered>
      <form onSubmit={submit}>
        <Stack>
          <TextInput
            label={t('members.username')}
            required
            value={username}
            onChange={(e) => setUsername(e.currentTarget.value)}
            data-autofocus
          />
          <Select
            label={t('members.role')}
            data={roles}
            value={roleId}
            onChange={(value) => value && setRoleId(value)}
            allowDeselect={false}
          />
          <ErrorAlert error={add.error} />
          <DialogButtons onCancel={close} submitLabel={t('action.add')} pending={add.isPending} />
        </Stack>
      </form>
    </Modal>
  );
}

export function MembersTab() {
  const t = useT();
  const { projectId, project } = useRouteProject();
  const { can } = useProjectPermissions(project?.project_id);
  const list = useListState();
  const members = useMembers(projectId, {
    page: list.page,
    page_size: list.pageSize,
    entityname: list.debouncedSearch || undefined,
  });
  const writes = useMemberWrites(projectId);
  const roles = useRoleOptions();
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Member | null>(null);
  const rows = members.data?.items ?? [];
  return (
    <Stack>
      <Group justify="space-between">
        <TextInput
          aria-label={t('members.search')}
          placeholder={t('members.search')}
          value={list.search}
          onChange={(e) => list.setSearch(e.currentTarget.value)}
        />
        {can('member', 'create') && <Button onClick={() => setAdding(true)}>{t('members.add')}</Button>}
      </Group>
      <ErrorAlert error={members.error ?? writes.setRole.error} />
      <Table striped data-testid="members">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('members.name')}</Table.Th>
            <Table.Th>{t('members.type')}</Table.Th>
            <Table.Th>{t('members.role')}</Table.Th>
            <Table.Th aria-label={t('action.actions')} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((member) => (
            <Table.Tr key={member.id} data-member={member.entity_name}>
              <Table.Td>{member.entity_name}</Table.Td>
              <Table.Td>{member.entity_type === 'g' ? t('members.group') : t('members.user')}</Table.Td>
              <Table.Td>
                <Select
                  aria-label={t('members.roleOf', { name: member.entity_name })}
                  size="xs"
                  w={180}
                  data={roles}
                  value={String(member.role_id)}
                  disabled={!can('member', 'update')}
                  title={can('member', 'update') ? undefined : t('denied.memberUpdate')}
                  onChange={(value) => value && writes.setRole.mutate({ id: member.id, roleId: Number(value) })}
                  allowDeselect={false}
                />
              </Table.Td>
              <Table.Td>
                <DeleteButton
                  label={t('members.removeNamed', { name: member.entity_name })}
                  denied={can('member', 'delete') ? undefined : t('denied.memberDelete')}
                  onClick={() => setRemoving(member)}
                />
              </Table.Td>
            </Table.Tr>
          ))}
          {members.isSuccess && rows.length === 0 && <EmptyRow columns={4}>{t('members.empty')}</EmptyRow>}
        </Table.Tbody>
      </Table>
      <ListFooter list={list} total={members.data?.total ?? 0} />
      <AddMemberDialog projectId={projectId} opened={adding} onClose={() => setAdding(false)} />
      <ConfirmDialog
        opened={removing !== null}
        title={t('members.removeTitle')}
        message={t('members.removeConfirm', { name: removing?.entity_name ?? '' })}
        confirmLabel={t('action.remove')}
        pending={writes.remove.isPending}
        error={writes.remove.error}
        onClose={() => {
          writes.remove.reset();
          setRemoving(null);
        }}
        onConfirm={() => removing && writes.remove.mutate(removing.id, { onSuccess: () => setRemoving(null) })}
      />
    </Stack>
  );
}
