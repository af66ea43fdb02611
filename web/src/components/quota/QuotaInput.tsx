import { Checkbox, Group, NativeSelect, NumberInput, Stack } from '@mantine/core';
import { useT } from '../../i18n/context';
import { isQuotaUnit, quotaUnits, type QuotaDraft } from '../../lib/quota';

/** Mantine gives a string while the number is incomplete ("1.") or empty. */
function amountOf(value: number | string): number | '' {
  const amount = typeof value === 'number' ? value : Number(value);
  return value === '' || Number.isNaN(amount) ? '' : amount;
}

/** Harbor's storage quota field: a number and a unit (MiB, GiB, TiB), or unlimited (-1). */
export function QuotaInput({
  label,
  draft,
  onChange,
}: {
  label: string;
  draft: QuotaDraft;
  onChange(draft: QuotaDraft): void;
}) {
  const t = useT();
  return (
    <Stack gap="xs" data-testid="quota-input">
      <Group align="flex-end" gap="xs" wrap="nowrap">
        <NumberInput
          label={label}
          min={-1}
          decimalScale={2}
          value={draft.amount}
          disabled={draft.unlimited}
          required={!draft.unlimited}
          onChange={(value) => onChange({ ...draft, amount: amountOf(value) })}
          style={{ flex: 1 }}
        />
        <NativeSelect
          aria-label={t('quota.unit')}
          data={Object.keys(quotaUnits)}
          value={draft.unit}
          disabled={draft.unlimited}
          onChange={(e) => {
            const unit = e.currentTarget.value;
            if (isQuotaUnit(unit)) onChange({ ...draft, unit });
          }}
        />
      </Group>
      <Checkbox
        label={t('quota.unlimitedChoice')}
        checked={draft.unlimited}
        onChange={(e) => onChange({ ...draft, unlimited: e.currentTarget.checked })}
      />
    </Stack>
  );
}
