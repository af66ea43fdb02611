import { Checkbox, Group, Table } from '@mantine/core';
import type { ResourceActions } from '../../lib/robots';

/** A checkbox per resource and action; `chosen` holds "resource:action" keys. */
export function AccessGrid({
  resources,
  chosen,
  onChange,
  label,
  testId,
}: {
  resources: ResourceActions;
  chosen: ReadonlySet<string>;
  onChange(next: Set<string>): void;
  label?: string;
  testId?: string;
}) {
  function toggle(key: string) {
    const next = new Set(chosen);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    onChange(next);
  }
  return (
    <Table withTableBorder data-testid={testId} aria-label={label}>
      <Table.Tbody>
        {Object.entries(resources).map(([resource, actions]) => (
          <Table.Tr key={resource}>
            <Table.Td w={160}>{resource}</Table.Td>
            <Table.Td>
              <Group gap="md">
                {actions.map((action) => (
                  <Checkbox
                    key={action}
                    size="xs"
                    label={action}
                    aria-label={`${label ? `${label} ` : ''}${resource} ${action}`}
                    checked={chosen.has(`${resource}:${action}`)}
                    onChange={() => toggle(`${resource}:${action}`)}
                  />
                ))}
              </Group>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
