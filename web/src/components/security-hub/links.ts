// Where the security hub's repositories and artifacts open in the portal.

export function repositoryLink(projectId: number | undefined, repository: string | undefined): string {
  return `/projects/${projectId ?? 0}/repositories/${encodeURIComponent(repository ?? '')}`;
}

export function artifactLink(
  projectId: number | undefined,
  repository: string | undefined,
  digest: string | undefined,
): string {
  return `${repositoryLink(projectId, repository)}/artifacts/${digest ?? ''}`;
}
