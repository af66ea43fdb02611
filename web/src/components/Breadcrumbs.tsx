import { Anchor, Breadcrumbs, Text } from '@mantine/core';
import { Link, useLocation } from 'react-router';
import { useT } from '../i18n/context';
import { shortDigest } from '../lib/format';

/** A repository named in a URL, with or without its project ("app" as Harbor's portal links, or "proj/app"). */
export function repositoryNames(projectName: string, repository: string): { full: string; short: string } {
  const short = repository.startsWith(`${projectName}/`) ? repository.slice(projectName.length + 1) : repository;
  return { full: `${projectName}/${short}`, short };
}

function segment(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Projects › project › repository › artifact, from the URL: one trail for every page inside a project,
 * the project named once it is loaded (a hand-typed URL may name it by id).
 */
export function ProjectBreadcrumbs({ projectId, projectName }: { projectId: string; projectName: string | undefined }) {
  const t = useT();
  const [, , , section, rawRepository, sub, rawDigest] = useLocation().pathname.split('/');
  const repository = section === 'repositories' ? segment(rawRepository) : undefined;
  const digest = sub === 'artifacts' ? segment(rawDigest) : undefined;
  const name = projectName ?? projectId;
  const names = repository ? repositoryNames(name, repository) : undefined;
  const projectLink = `/projects/${projectId}/repositories`;
  const repositoryLink = names && `${projectLink}/${encodeURIComponent(names.full)}`;
  return (
    <Breadcrumbs data-testid="breadcrumbs">
      <Anchor component={Link} to="/projects">
        {t('nav.projects')}
      </Anchor>
      {names ? (
        <Anchor component={Link} to={projectLink}>
          {name}
        </Anchor>
      ) : (
        <Text>{name}</Text>
      )}
      {names &&
        repositoryLink &&
        (digest ? (
          <Anchor component={Link} to={repositoryLink}>
            {names.short}
          </Anchor>
        ) : (
          <Text>{names.short}</Text>
        ))}
      {digest && <Text>{shortDigest(digest)}</Text>}
    </Breadcrumbs>
  );
}
