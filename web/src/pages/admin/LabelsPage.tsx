import { Text } from '@mantine/core';
import { LabelsSection } from '../../components/labels/LabelsSection';
import { useT } from '../../i18n/context';

const globalLabels = { scope: 'g' } as const;
const administrator = { create: true, update: true, delete: true };

/** Administration › Labels: the global labels, which every project's artifacts may carry. */
export function LabelsPage() {
  const t = useT();
  return (
    <>
      <Text size="sm" c="dimmed">
        {t('labels.globalIntro')}
      </Text>
      <LabelsSection owner={globalLabels} rights={administrator} />
    </>
  );
}
