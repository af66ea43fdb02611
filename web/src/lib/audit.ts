// Harbor's audit log filter (`q`): the operation exactly, resource and username fuzzily.

export const auditOperations = ['create', 'update', 'delete', 'push', 'pull', 'login', 'login_failed'] as const;

export interface AuditFilter {
  operation?: string;
  resource?: string;
  username?: string;
}

export function auditQuery(filter: AuditFilter): string | undefined {
  const parts: string[] = [];
  if (filter.operation) parts.push(`operation=${filter.operation}`);
  for (const key of ['resource', 'username'] as const) {
    const value = filter[key]?.trim();
    // Harbor's q splits terms on commas: a comma inside a value would start a new term.
    if (value) parts.push(`${key}=~${value.replaceAll(',', ' ')}`);
  }
  return parts.length > 0 ? parts.join(',') : undefined;
}
