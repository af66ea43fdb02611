import { Badge } from '@mantine/core';
import { useT, type Translate } from '../../i18n/context';
import { isSeverity, severityColor, severityKey } from '../scanning/severity';

/** A severity in the reader's language; None (Harbor's sixth level) and a scanner's own word included. */
export function severityLabel(t: Translate, severity: string | undefined): string {
  if (isSeverity(severity)) return t(severityKey(severity));
  if (severity === 'None') return t('hub.severityNone');
  return severity || t('scan.severity.Unknown');
}

export function SeverityBadge({ severity }: { severity: string | undefined }) {
  const t = useT();
  const color = isSeverity(severity) ? severityColor[severity] : 'gray.4';
  return (
    <Badge color={color} variant="filled" tt="none" data-severity={severity ?? ''}>
      {severityLabel(t, severity)}
    </Badge>
  );
}
