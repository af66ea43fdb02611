import type { Entry } from 'yauzl';
import type { Analyzer, ImageFile, Package } from '../../model.js';
import { dedupe, isPseudoFilesystem, libraryPackage, packageUrl, unreadable } from './common.js';
import { eachZipEntry } from './zip-reader.js';

// Maven artifacts in Java archives (jar, war, ear), named by the pom.properties Maven's archiver
// writes under META-INF/maven/<groupId>/<artifactId>/ — OSV's Maven ecosystem names a package
// 'groupId:artifactId'. A fat jar holds one per shaded artifact; a war or a Spring Boot jar holds
// its libraries as jars (WEB-INF/lib/, BOOT-INF/lib/), read one level deep. An archive without
// pom.properties is not guessed from its MANIFEST.MF (Implementation-Title names no group, so it
// cannot be matched): a note counts such archives instead.

const archiveExtension = /\.(?:jar|war|ear)$/i;
const pomProperties = /^(?:.*\/)?META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;

/** Bounds per top-level archive, so a zip bomb costs a note and not the scanner's memory. */
const limits = {
  maxEntries: 65_536,
  maxPropertiesSize: 64 * 1024,
  maxNestedArchiveSize: 64 * 1024 * 1024,
  maxNestedArchives: 1_000,
  maxNestedBytes: 512 * 1024 * 1024,
};

export const javaAnalyzer: Analyzer = {
  name: 'java',
  maxFileSize: 512 * 1024 * 1024,
  wants: (path) => !isPseudoFilesystem(path) && archiveExtension.test(path),
  analyze: async (files) => {
    const packages: Package[] = [];
    const notes: string[] = [];
    let unidentified = 0;
    for (const file of files) {
      const result = await archivePackages(file);
      packages.push(...result.packages);
      notes.push(...result.notes);
      unidentified += result.unidentified;
    }
    if (unidentified > 0)
      notes.push(`${unidentified} Java archive(s) have no Maven pom.properties and are not identified`);
    return { packages: dedupe(packages), notes };
  },
};

interface ArchiveResult {
  packages: Package[];
  notes: string[];
  unidentified: number;
}

async function archivePackages(file: ImageFile): Promise<ArchiveResult> {
  const result: ArchiveResult = { packages: [], notes: [], unidentified: 0 };
  const nested = { archives: 0, bytes: 0 };
  // Returns how many packages the archive and the archives inside it hold.
  const readArchive = async (content: Buffer, label: string, depth: number): Promise<number> => {
    let found = 0;
    await eachZipEntry(
      content,
      limits,
      (entry) => wantedEntry(entry, depth, nested),
      async (entry, bytes) => {
        if (pomProperties.test(entry.fileName)) {
          const artifact = parsePomProperties(bytes.toString('utf8'));
          if (artifact) result.packages.push(mavenPackage(file, artifact));
          if (artifact) found++;
          return;
        }
        const inner = `${label}!/${entry.fileName}`;
        found += await readArchive(bytes, inner, depth + 1).catch((err: unknown) => {
          result.notes.push(unreadable('Java archive', { ...file, path: inner }, err));
          return 0;
        });
      },
    );
    if (found === 0) result.unidentified++;
    return found;
  };
  try {
    await readArchive(file.content, file.path, 0);
  } catch (err) {
    result.notes.push(unreadable('Java archive', file, err));
  }
  return result;
}

/** The size cap to read an entry with, or undefined to skip it. */
function wantedEntry(entry: Entry, depth: number, nested: { archives: number; bytes: number }): number | undefined {
  if (pomProperties.test(entry.fileName)) return limits.maxPropertiesSize;
  if (depth > 0 || !archiveExtension.test(entry.fileName)) return undefined;
  nested.archives++;
  nested.bytes += entry.uncompressedSize;
  if (nested.archives > limits.maxNestedArchives || nested.bytes > limits.maxNestedBytes) {
    throw new Error(`nested archives exceed ${limits.maxNestedArchives} files or ${limits.maxNestedBytes} bytes`);
  }
  return limits.maxNestedArchiveSize;
}

export interface MavenArtifact {
  groupId: string;
  artifactId: string;
  version: string;
}

/** java.util.Properties' format, as far as Maven's archiver writes it: `key=value` lines, '#' comments. */
export function parsePomProperties(text: string): MavenArtifact | undefined {
  const properties = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('!')) continue;
    const match = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(trimmed);
    if (match) properties.set(match[1]!, match[2]!.trim());
  }
  const groupId = properties.get('groupId');
  const artifactId = properties.get('artifactId');
  const version = properties.get('version');
  // Unresolved placeholders ('${project.version}') come from hand-made or broken builds.
  if (!groupId || !artifactId || !version || [groupId, artifactId, version].some((v) => v.includes('${'))) {
    return undefined;
  }
  return { groupId, artifactId, version };
}

function mavenPackage(file: ImageFile, artifact: MavenArtifact): Package {
  return libraryPackage('Maven', file, {
    name: `${artifact.groupId}:${artifact.artifactId}`,
    version: artifact.version,
    purl: packageUrl('maven', `${artifact.groupId}/${artifact.artifactId}`, artifact.version),
  });
}
