import { Badge, Button, Group, Menu, Modal, PasswordInput, Stack, Table, TextInput } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { builtInAdminId, useBuiltInAdmin, useUserWrites, useUsers, type UserDraft } from '../../api/admin';
import { useCurrentUser } from '../../api/session';
import type { UserEntry } from '../../api/types';
import { ConfirmMutation, DialogButtons } from '../../components/ConfirmDialog';
import { ErrorAlert } from '../../components/ErrorAlert';
import { RowMenu } from '../../components/RowActions';
import { EmptyRow, ListFooter, SortableTh, useListState } from '../../components/List';
import { useI18n, useT } from '../../i18n/context';
import { formatTime, fuzzyQuery } from '../../lib/format';

const emptyDraft: UserDraft = { username: '', email: '', realname: '', password: '', comment: '' };

function CreateUserDialog({ opened, onClose }: { opened: boolean; onClose(): void }) {
  const t = useT();
  const { create } = useUserWrites();
  const [draft, setDraft] = useState<UserDraft>(emptyDraft);
  const [confirm, setConfirm] = useState('');
  const field = (key: keyof UserDraft) => ({
    value: draft[key],
    onChange: (e: { currentTarget: { value: string } }) => setDraft({ ...draft, [key]: e.currentTarget.value }),
  });
  const mismatch = confirm !== '' && confirm !== draft.password;
  function close() {
    create.reset();
    setDraft(emptyDraft);
    setConfirm('');
    onClose();
  }
  function submit(event: FormEvent) {
    event.preventDefault();
    if (mismatch) return;
    create.mutate({ ...draft, username: draft.username.trim(), email: draft.email.trim() }, { onSuccess: close });
  }
  return (
    <Modal opened={opened} onClose={close} title={t('users.new')} centered>
      <form onSubmit={submit}>
        <Stack>
          <TextInput label={t('users.username')} required {...field('username')} data-autofocus />
          <TextInput label={t('users.email')} type="email" required {...field('email')} />
          <TextInput label={t('users.realname')} required {...field('realname')} />
          <PasswordInput
            label={t('users.password')}
            description={t('users.passwordHint')}
            required
            {...field('password')}
          />
          <PasswordInput
            label={t('users.confirmPassword')}
            required
            value={confirm}
            onChange={(e) => setConfirm(e.currentTarget.value)}
            error={mismatch && t('users.passwordMismatch')}
          />
          <TextInput label={t('users.comment')} {...field('comment')} />
          <ErrorAlert error={create.error} />
          <DialogButtons
            onCancel={close}
            submitLabel={t('action.create')}
            pending={create.isPending}
            disabled={mismatch}
          />
        </Stack>
      </form>
    </Modal>
  );
}

function PasswordDialog({ user, onClose }: { user: UserEntry | null; onClose(): void }) {
  const t = useT();
  const { setPassword } = useUserWrites();
  const [password, setValue] = useState('');
  const [confirm, setConfirm] = useState('');
  const mismatch = confirm !== '' && confirm !== password;
  function close() {
    setPassword.reset();
    setValue('');
    setConfirm('');
    onClose();
  }
  function submit(event: FormEvent) {
    event.preventDefault();
    if (user && !mismatch) setPassword.mutate({ user, password }, { onSuccess: close });
  }
  return (
    <Modal
      opened={user !== null}
      onClose={close}
      title={t('users.resetPasswordOf', { name: user?.username ?? '' })}
      centered
    >
      <form onSubmit={submit}>
        <Stack>
          <PasswordInput
            label={t('users.newPassword')}
            description={t('users.passwordHint')}
            required
            value={password}
            onChange={(e) => setValue(e.currentTarget.value)}
            data-autofocus
          />
          <PasswordInput
            label={t('users.confirmPassword')}
            required
            value={confirm}
            onChange={(e) => setConfirm(e.currentTarget.value)}
            error={mismatch && t('users.passwordMismatch')}
          />
          <ErrorAlert error={setPassword.error} />
          <DialogButtons
            onCancel={close}
            submitLabel={t('action.save')}
            pending={setPassword.isPending}
            disabled={mismatch}
          />
        </Stack>
      </form>
    </Modal>
  );
}

/** One user's row; the built-in administrator can be neither deleted nor demoted (Harbor's user 1). */
function UserRow({
  user,
  me,
  builtIn = false,
  onReset,
  onDelete,
}: {
  user: UserEntry;
  me: UserEntry | undefined;
  builtIn?: boolean;
  onReset(user: UserEntry): void;
  onDelete(user: UserEntry): void;
}) {
  const { t, language } = useI18n();
  const writes = useUserWrites();
  const fixed = user.user_id === me?.user_id || user.user_id === builtInAdminId;
  return (
    <Table.Tr data-user={user.username}>
      <Table.Td>
        <Group gap="xs">
          {user.username}
          {builtIn && (
            <Badge size="xs" variant="outline">
              {t('users.builtInAdmin')}
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color={user.sysadmin_flag ? 'blue' : 'gray'}>
          {user.sysadmin_flag ? t('users.isAdmin') : t('users.notAdmin')}
        </Badge>
      </Table.Td>
      <Table.Td>{user.email}</Table.Td>
      <Table.Td>{user.realname}</Table.Td>
      <Table.Td>{formatTime(user.creation_time, language)}</Table.Td>
      <Table.Td>
        <RowMenu label={t('users.actionsFor', { name: user.username })}>
          <Menu.Item disabled={fixed} onClick={() => writes.setAdmin.mutate({ user, admin: !user.sysadmin_flag })}>
            {user.sysadmin_flag ? t('users.unmakeAdmin') : t('users.makeAdmin')}
          </Menu.Item>
          {/* Users change their own password from the user menu, proving the current one. */}
          <Menu.Item disabled={user.user_id === me?.user_id} onClick={() => onReset(user)}>
            {t('users.resetPassword')}
          </Menu.Item>
          <Menu.Item color="red" disabled={fixed} onClick={() => onDelete(user)}>
            {t('action.delete')}
          </Menu.Item>
        </RowMenu>
      </Table.Td>
    </Table.Tr>
  );
}

/** Users, for system administrators: create, make or unmake admin, set a password, delete. */
export function UsersPage() {
  const { t } = useI18n();
  const me = useCurrentUser().data;
  const list = useListState({ column: 'username', desc: false });
  const users = useUsers({ ...list.params, q: fuzzyQuery({ username: list.debouncedSearch }) });
  const writes = useUserWrites();
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<UserEntry | null>(null);
  const [deleting, setDeleting] = useState<UserEntry | null>(null);
  const rows = users.data?.items ?? [];
  const admin = useBuiltInAdmin().data;
  const search = list.debouncedSearch.toLowerCase();
  const pinned = admin && list.page === 1 && admin.username.toLowerCase().includes(search) ? admin : undefined;
  return (
    <Stack>
      <Group justify="space-between">
        <TextInput
          aria-label={t('users.search')}
          placeholder={t('users.search')}
          leftSection={<IconSearch size={16} />}
          value={list.search}
          onChange={(e) => list.setSearch(e.currentTarget.value)}
        />
        <Button onClick={() => setCreating(true)}>{t('users.new')}</Button>
      </Group>
      <ErrorAlert error={users.error ?? writes.setAdmin.error} />
      <Table striped highlightOnHover data-testid="users">
        <Table.Thead>
          <Table.Tr>
            <SortableTh column="username" list={list}>
              {t('users.username')}
            </SortableTh>
            <Table.Th>{t('users.admin')}</Table.Th>
            <SortableTh column="email" list={list}>
              {t('users.email')}
            </SortableTh>
            <SortableTh column="realname" list={list}>
              {t('users.realname')}
            </SortableTh>
            <SortableTh column="creation_time" list={list}>
              {t('users.created')}
            </SortableTh>
            <Table.Th aria-label={t('action.actions')} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {pinned && <UserRow user={pinned} me={me} builtIn onReset={setResetting} onDelete={setDeleting} />}
          {rows.map((user) => (
            <UserRow key={user.user_id} user={user} me={me} onReset={setResetting} onDelete={setDeleting} />
          ))}
          {users.isSuccess && rows.length === 0 && !pinned && (
            <EmptyRow columns={6}>{list.debouncedSearch ? t('users.noMatch') : t('users.empty')}</EmptyRow>
          )}
        </Table.Tbody>
      </Table>
      <ListFooter list={list} total={users.data?.total ?? 0} />
      <CreateUserDialog opened={creating} onClose={() => setCreating(false)} />
      <PasswordDialog user={resetting} onClose={() => setResetting(null)} />
      <ConfirmMutation
        target={deleting}
        mutation={writes.remove}
        onDone={() => setDeleting(null)}
        title={t('users.deleteTitle')}
        message={t('users.deleteConfirm', { name: deleting?.username ?? '' })}
      />
    </Stack>
  );
}
