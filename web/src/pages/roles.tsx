import { projectRoles, type ProjectRoleId } from '../api/types';
import { useT } from '../i18n/context';
import type { MessageKey } from '../i18n/en';

/** Harbor's role ids and the catalogue key of each role's name. */
export const roleKeys: Record<ProjectRoleId, MessageKey> = {
  1: 'role.projectAdmin',
  4: 'role.maintainer',
  2: 'role.developer',
  3: 'role.guest',
  5: 'role.limitedGuest',
};

export function isRoleId(value: number): value is ProjectRoleId {
  return (projectRoles as readonly number[]).includes(value);
}

export function RoleName({ roleId }: { roleId: number }) {
  const t = useT();
  return <>{isRoleId(roleId) ? t(roleKeys[roleId]) : t('role.none')}</>;
}
