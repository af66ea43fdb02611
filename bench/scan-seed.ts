import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import * as tar from 'tar-stream';

// The image the scan bench scans (issue 15: "a 200 MiB image with ~500 packages"), built in
// memory with tar-stream and zlib: a Debian 12 base (os-release, a dpkg database of 400
// installed packages, their copyright files), a few Python distributions, a Node.js app with
// 100 packages under node_modules and its package-lock.json, and bulk content (incompressible
// files and many small text files) bringing the gzip layers to ~200 MiB. The package data is
// real where this machine has it: its own dpkg database and copyright files, and the npm
// packages in the checkout's node_modules.

export interface DpkgPackage {
  name: string;
  version: string;
  /** The source package advisories are filed under (dpkg `Source:`, else the package's name). */
  source: string;
  /** The source's version (`Source: x (1.2-3)`), else the package's. */
  sourceVersion: string;
}

export interface LibraryPackage {
  name: string;
  version: string;
}

/** What the image holds: the packages a scan should find, the vulnerability database's subjects. */
export interface Inventory {
  dpkg: DpkgPackage[];
  npm: LibraryPackage[];
  python: LibraryPackage[];
  /** Where the dpkg database came from: this machine's, or generated. */
  dpkgOrigin: string;
}

export interface BuiltLayer {
  title: string;
  blob: Buffer;
  digest: string;
  /** sha256 of the uncompressed tar (the config's rootfs.diff_ids). */
  diffId: string;
  files: number;
  tarBytes: number;
}

export interface ScanImage {
  inventory: Inventory;
  layers: BuiltLayer[];
  config: Buffer;
  manifest: Buffer;
}

interface SeedFile {
  path: string;
  content: Buffer;
}

const root = new URL('..', import.meta.url).pathname;
const MiB = 1024 * 1024;
export const dpkgCount = 400;
export const npmCount = 100;
const sha256 = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const file = (path: string, content: string | Buffer): SeedFile => ({
  path,
  content: typeof content === 'string' ? Buffer.from(content) : content,
});

const osRelease = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
`;

/** Real wheels' names and versions, as pip would have installed them. */
const pythonDists: LibraryPackage[] = [
  { name: 'requests', version: '2.31.0' },
  { name: 'urllib3', version: '1.26.18' },
  { name: 'certifi', version: '2023.7.22' },
  { name: 'idna', version: '3.4' },
  { name: 'charset-normalizer', version: '3.2.0' },
  { name: 'Jinja2', version: '3.1.2' },
  { name: 'MarkupSafe', version: '2.1.3' },
  { name: 'PyYAML', version: '6.0.1' },
  { name: 'setuptools', version: '68.1.2' },
  { name: 'six', version: '1.16.0' },
];

const field = (paragraph: string, name: string) => new RegExp(`^${name}: *(.*)$`, 'm').exec(paragraph)?.[1]?.trim();

function dpkgPackage(paragraph: string): DpkgPackage | undefined {
  const name = field(paragraph, 'Package');
  const version = field(paragraph, 'Version');
  if (!name || !version || field(paragraph, 'Status') !== 'install ok installed') return undefined;
  const source = /^(\S+)(?: \((.+)\))?$/.exec(field(paragraph, 'Source') ?? '');
  return { name, version, source: source?.[1] ?? name, sourceVersion: source?.[2] ?? version };
}

/** A generated stand-in, for machines without a Debian dpkg database: lib<word><n> with Debian-like versions. */
function generatedParagraph(i: number): string {
  const words = ['ssl', 'xml2', 'curl', 'z', 'png', 'jpeg', 'ffi', 'gmp', 'idn', 'pcre', 'sqlite', 'krb5'];
  const source = `${words[i % words.length]}${Math.floor(i / words.length)}`;
  const version = `${1 + (i % 4)}:${2 + (i % 7)}.${i % 13}.${i % 5}-${1 + (i % 3)}${i % 6 === 0 ? '~deb12u1' : ''}`;
  return [
    `Package: lib${source}-${i % 3 === 0 ? 'dev' : '1'}`,
    'Status: install ok installed',
    'Priority: optional',
    'Section: libs',
    `Installed-Size: ${100 + i}`,
    'Maintainer: Debian Berth Bench <bench@example.org>',
    'Architecture: amd64',
    `Source: ${source}`,
    `Version: ${version}`,
    'Depends: libc6 (>= 2.34)',
    `Description: generated library ${i} for the scan bench`,
  ].join('\n');
}

/** `count` installed packages: this machine's dpkg database when it has enough, else generated ones. */
export function dpkgDatabase(count = dpkgCount): { status: string; packages: DpkgPackage[]; origin: string } {
  const host = '/var/lib/dpkg/status';
  const real = existsSync(host)
    ? readFileSync(host, 'utf8')
        .split(/\n\n+/)
        .filter((p) => dpkgPackage(p) !== undefined)
    : [];
  const paragraphs =
    real.length >= count ? real.slice(0, count) : Array.from({ length: count }, (_, i) => generatedParagraph(i));
  return {
    status: `${paragraphs.join('\n\n')}\n`,
    packages: paragraphs.map((p) => dpkgPackage(p)!),
    origin: real.length >= count ? `the first ${count} installed packages of this machine's ${host}` : 'generated',
  };
}

/** The checkout's own npm packages (real names, versions and package.json files), sorted by name. */
export function npmPackages(count = npmCount): { pkg: LibraryPackage; manifest: Buffer }[] {
  const modules = join(root, 'node_modules');
  const dirs = readdirSync(modules)
    .filter((d) => !d.startsWith('.'))
    .flatMap((d) => (d.startsWith('@') ? readdirSync(join(modules, d)).map((n) => `${d}/${n}`) : [d]))
    .sort();
  const found: { pkg: LibraryPackage; manifest: Buffer }[] = [];
  for (const dir of dirs) {
    const path = join(modules, dir, 'package.json');
    if (found.length === count) break;
    if (!existsSync(path)) continue;
    const manifest = readFileSync(path);
    const { name, version } = JSON.parse(manifest.toString('utf8')) as { name?: unknown; version?: unknown };
    if (typeof name === 'string' && typeof version === 'string' && /^\d+\.\d+\.\d+$/.test(version))
      found.push({ pkg: { name, version }, manifest });
  }
  return found;
}

/** Incompressible files adding up to `mib` MiB, of sizes from 64 KiB to 4 MiB. */
function* bulkFiles(dir: string, mib: number): Generator<SeedFile> {
  const sizes = [64 * 1024, 256 * 1024, MiB, 4 * MiB, 512 * 1024, 2 * MiB, 128 * 1024, 3 * MiB];
  for (let i = 0, left = mib * MiB; left > 0; i++) {
    const size = Math.min(left, sizes[i % sizes.length]!);
    left -= size;
    yield file(`${dir}/blob-${String(i).padStart(4, '0')}.bin`, randomBytes(size));
  }
}

/** `count` small text files of 1-6 KiB (sources, docs, configuration), compressible as those are. */
function* smallFiles(dir: string, count: number, extension: string): Generator<SeedFile> {
  for (let i = 0; i < count; i++) {
    const lines = Array.from(
      { length: 20 + (i % 100) },
      (_, l) => `// ${dir} file ${i}, line ${l}: value_${(i * 31 + l * 7) % 1009} = compute(${l}, ${i % 17});`,
    );
    yield file(`${dir}/${Math.floor(i / 100)}/file-${i}.${extension}`, `${lines.join('\n')}\n`);
  }
}

function* debianBase(dpkg: ReturnType<typeof dpkgDatabase>): Generator<SeedFile> {
  yield file('etc/os-release', osRelease);
  yield file('etc/debian_version', '12.5\n');
  yield file('var/lib/dpkg/status', dpkg.status);
  for (const pkg of dpkg.packages) {
    const copyright = `/usr/share/doc/${pkg.name}/copyright`;
    if (existsSync(copyright) && statSync(copyright).size < MiB)
      yield file(copyright.slice(1), readFileSync(copyright));
  }
  yield* smallFiles('usr/share/doc-base', 3000, 'txt');
  yield* bulkFiles('usr/lib/x86_64-linux-gnu', 55);
}

function* pythonLayer(): Generator<SeedFile> {
  for (const dist of pythonDists) {
    const info = `usr/lib/python3/dist-packages/${dist.name.replace(/-/g, '_')}-${dist.version}.dist-info`;
    yield file(
      `${info}/METADATA`,
      `Metadata-Version: 2.1\nName: ${dist.name}\nVersion: ${dist.version}\nSummary: ${dist.name} for the scan bench\nLicense: MIT\n\n${dist.name} description.\n`,
    );
    yield file(
      `${info}/WHEEL`,
      'Wheel-Version: 1.0\nGenerator: bdist_wheel (0.41.2)\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
    );
    yield file(`${info}/INSTALLER`, 'pip\n');
  }
  yield* smallFiles('usr/lib/python3/dist-packages/site', 800, 'py');
  yield* bulkFiles('usr/lib/python3/dist-packages/_native', 20);
}

function* nodeLayer(npm: ReturnType<typeof npmPackages>): Generator<SeedFile> {
  const dependencies = Object.fromEntries(npm.map(({ pkg }) => [pkg.name, `^${pkg.version}`]));
  yield file('app/package.json', JSON.stringify({ name: 'bench-app', version: '1.0.0', dependencies }, null, 2));
  const packages = Object.fromEntries(
    npm.map(({ pkg }) => [
      `node_modules/${pkg.name}`,
      { version: pkg.version, resolved: `https://registry.npmjs.org/${pkg.name}/-/x-${pkg.version}.tgz` },
    ]),
  );
  const lock = {
    name: 'bench-app',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name: 'bench-app', version: '1.0.0', dependencies }, ...packages },
  };
  yield file('app/package-lock.json', JSON.stringify(lock, null, 2));
  for (const { pkg, manifest } of npm) {
    yield file(`app/node_modules/${pkg.name}/package.json`, manifest);
    yield file(`app/node_modules/${pkg.name}/index.js`, `module.exports = require('./lib/${pkg.name}');\n`);
  }
  yield* smallFiles('app/node_modules/.bench/lib', 1500, 'js');
  yield* bulkFiles('app/assets', 60);
}

function* appLayer(): Generator<SeedFile> {
  yield* smallFiles('srv/data/small', 1000, 'json');
  yield* bulkFiles('srv/data/bulk', 60);
}

/** One gzip layer of `files`, its tar hashed on the way (the diff_id). */
async function buildLayer(title: string, files: Iterable<SeedFile>): Promise<BuiltLayer> {
  const pack = tar.pack();
  const tarHash = createHash('sha256');
  let tarBytes = 0;
  const tap = new PassThrough();
  tap.on('data', (chunk: Buffer) => {
    tarHash.update(chunk);
    tarBytes += chunk.length;
  });
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  const written = pipeline(pack, tap, createGzip(), sink);
  let count = 0;
  for (const f of files) {
    count++;
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name: f.path, mode: 0o644, mtime: new Date(0) }, f.content, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  }
  pack.finalize();
  await written;
  const blob = Buffer.concat(chunks);
  return { title, blob, digest: sha256(blob), diffId: `sha256:${tarHash.digest('hex')}`, files: count, tarBytes };
}

/** Builds the whole image: four gzip layers, its OCI config and manifest. */
export async function buildScanImage(): Promise<ScanImage> {
  const dpkg = dpkgDatabase();
  const npm = npmPackages();
  const layers = [
    await buildLayer('Debian 12 base', debianBase(dpkg)),
    await buildLayer('Python distributions', pythonLayer()),
    await buildLayer('Node.js app', nodeLayer(npm)),
    await buildLayer('app data', appLayer()),
  ];
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['node', '/app/index.js'], WorkingDir: '/app' },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((l) => ({ created: '2026-01-01T00:00:00Z', created_by: `berth scan bench: ${l.title}` })),
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: layers.map((l) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: l.digest,
        size: l.blob.length,
      })),
    }),
  );
  return {
    inventory: { dpkg: dpkg.packages, npm: npm.map((n) => n.pkg), python: pythonDists, dpkgOrigin: dpkg.origin },
    layers,
    config,
    manifest,
  };
}
