import { Group, NativeSelect, TextInput } from '@mantine/core';
import { useT } from '../../i18n/context';
import { repositoryDecorations, tagDecorations, type RuleDraft } from '../../lib/immutable';

type RepositoryPart = Pick<RuleDraft, 'repositoryDecoration' | 'repositoryPattern'>;
type TagPart = Pick<RuleDraft, 'tagDecoration' | 'tagPattern'>;

/** Repositories matching or excluding a doublestar pattern: a rule's scope (immutability, retention). */
export function RepositorySelectorFields({
  draft,
  change,
}: {
  draft: RepositoryPart;
  change(patch: Partial<RepositoryPart>): void;
}) {
  const t = useT();
  return (
    <Group align="flex-start" grow>
      <NativeSelect
        label={t('immutable.repositories')}
        data={repositoryDecorations.map((value) => ({
          value,
          label: t(value === 'repoMatches' ? 'immutable.matching' : 'immutable.excluding'),
        }))}
        value={draft.repositoryDecoration}
        onChange={(e) => {
          const value = e.currentTarget.value;
          change({ repositoryDecoration: value === 'repoExcludes' ? value : 'repoMatches' });
        }}
      />
      <TextInput
        label={t('immutable.repositoryPattern')}
        description={t('immutable.repositoryHint')}
        placeholder="**"
        required
        value={draft.repositoryPattern}
        onChange={(e) => change({ repositoryPattern: e.currentTarget.value })}
      />
    </Group>
  );
}

/** Tags matching or excluding a doublestar pattern. */
export function TagSelectorFields({
  draft,
  change,
  autoFocus = false,
}: {
  draft: TagPart;
  change(patch: Partial<TagPart>): void;
  autoFocus?: boolean;
}) {
  const t = useT();
  return (
    <Group align="flex-start" grow>
      <NativeSelect
        label={t('immutable.tags')}
        data={tagDecorations.map((value) => ({
          value,
          label: t(value === 'matches' ? 'immutable.matching' : 'immutable.excluding'),
        }))}
        value={draft.tagDecoration}
        onChange={(e) => {
          const value = e.currentTarget.value;
          change({ tagDecoration: value === 'excludes' ? value : 'matches' });
        }}
      />
      <TextInput
        label={t('immutable.tagPattern')}
        placeholder="**"
        required
        data-autofocus={autoFocus || undefined}
        value={draft.tagPattern}
        onChange={(e) => change({ tagPattern: e.currentTarget.value })}
      />
    </Group>
  );
}
