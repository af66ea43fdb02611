import { parseControl } from './control-format.js';

// Licences from a package's /usr/share/doc/<package>/copyright, when it is machine-readable
// (DEP-5, https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/): its first
// stanza's Format field names that specification, and each Files or standalone License stanza
// has a License field whose first line is the licence's short name or an expression of them.

const copyrightPath = /^usr\/share\/doc\/([^/]+)\/copyright$/;

/** The package a copyright path belongs to, or undefined for another path. */
export function copyrightPackage(path: string): string | undefined {
  return copyrightPath.exec(path)?.[1];
}

/** The distinct licences a DEP-5 copyright file declares, in order of appearance; [] for a free-form file. */
export function dep5Licenses(text: string): string[] {
  const { stanzas } = parseControl(text);
  const format = stanzas[0]?.get('format') ?? '';
  if (!/copyright-format\/1\.0\/?$/.test(format)) return [];
  const licenses = new Set<string>();
  for (const stanza of stanzas) {
    const synopsis = stanza.get('license')?.split('\n')[0]?.trim();
    if (synopsis) licenses.add(synopsis);
  }
  return [...licenses];
}
