import { AuditLogTable } from '../../components/AuditLogTable';

/** Every audit entry in the system (GET /audit-logs). */
export function AuditLogPage() {
  return <AuditLogTable />;
}
