import { Button } from '@mantine/core';
import { IconPlayerStop } from '@tabler/icons-react';
import type { ReactNode } from 'react';

interface DigestMutation {
  isPending: boolean;
  mutate(digest: string): void;
}

/**
 * A tab's start and stop buttons for a scan of `digest` (a vulnerability scan, an SBOM): start
 * when allowed, idle while one runs; stop when allowed and one runs.
 */
export function JobButtons({
  digest,
  running,
  start,
  stop,
}: {
  digest: string;
  running: boolean;
  start: { allowed: boolean; label: string; icon: ReactNode; mutation: DigestMutation };
  stop: { allowed: boolean; label: string; mutation: DigestMutation };
}) {
  return (
    <>
      {start.allowed && (
        <Button
          leftSection={start.icon}
          loading={start.mutation.isPending}
          disabled={running}
          onClick={() => start.mutation.mutate(digest)}
        >
          {start.label}
        </Button>
      )}
      {stop.allowed && running && (
        <Button
          variant="light"
          color="red"
          leftSection={<IconPlayerStop size={16} />}
          loading={stop.mutation.isPending}
          onClick={() => stop.mutation.mutate(digest)}
        >
          {stop.label}
        </Button>
      )}
    </>
  );
}
