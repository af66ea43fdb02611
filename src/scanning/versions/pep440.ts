// Python package versions (PyPI), ordered as PEP 440 defines: [N!]N(.N)*[{a|b|rc}N][.postN]
// [.devN][+local], with its normalisations (case, `alpha`/`beta`/`c`/`pre`/`preview`, `-`/`_`/`.`
// separators or none, implicit numbers, `-N` as a post release, `rev`/`r`, a leading `v`).
// Release segments compare with trailing zeros dropped; a dev release sorts before its
// pre-releases, a pre-release before its release, a post release after it, a local version
// after its public one (local segments: numbers above words, more segments above fewer).

export interface Pep440Version {
  epoch: number;
  release: number[];
  pre?: { kind: 'a' | 'b' | 'rc'; number: number };
  post?: number;
  dev?: number;
  local?: (number | string)[];
}

const pattern = new RegExp(
  '^\\s*v?' +
    '(?:(\\d+)!)?' +
    '(\\d+(?:\\.\\d+)*)' +
    '(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?(\\d+)?)?' +
    '(?:-(\\d+)|[-_.]?(post|rev|r)[-_.]?(\\d+)?)?' +
    '(?:[-_.]?(dev)[-_.]?(\\d+)?)?' +
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?' +
    '\\s*$',
  'i',
);

const preKinds: Record<string, 'a' | 'b' | 'rc'> = {
  a: 'a',
  alpha: 'a',
  b: 'b',
  beta: 'b',
  c: 'rc',
  rc: 'rc',
  pre: 'rc',
  preview: 'rc',
};

/** Parses a version; undefined when it is not one PEP 440 allows. */
export function parsePep440(version: string): Pep440Version | undefined {
  const m = pattern.exec(version);
  if (!m) return undefined;
  const [, epoch, release, preKind, preNumber, postImplicit, postWord, postNumber, dev, devNumber, local] = m;
  return {
    epoch: epoch ? Number(epoch) : 0,
    release: release!.split('.').map(Number),
    ...(preKind ? { pre: { kind: preKinds[preKind.toLowerCase()]!, number: Number(preNumber ?? 0) } } : {}),
    ...(postImplicit !== undefined
      ? { post: Number(postImplicit) }
      : postWord
        ? { post: Number(postNumber ?? 0) }
        : {}),
    ...(dev ? { dev: Number(devNumber ?? 0) } : {}),
    ...(local ? { local: local.split(/[-_.]/).map((s) => (/^\d+$/.test(s) ? Number(s) : s.toLowerCase())) } : {}),
  };
}

const sign = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0);
const preOrder = { a: 0, b: 1, rc: 2 };

function compareRelease(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return sign(diff);
  }
  return 0;
}

/** Where the pre-release puts a version among its release's: a dev-only release first, none last. */
function preKey(v: Pep440Version): [number, number] {
  if (v.pre) return [preOrder[v.pre.kind], v.pre.number];
  if (v.post === undefined && v.dev !== undefined) return [-1, 0];
  return [3, 0];
}

function compareLocal(a: (number | string)[] | undefined, b: (number | string)[] | undefined): number {
  if (!a || !b) return a ? 1 : b ? -1 : 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (typeof x !== typeof y) return typeof x === 'number' ? 1 : -1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return sign(a.length - b.length);
}

/** Compares two PEP 440 versions (-1, 0, 1); throws on one that is not a PEP 440 version. */
export function comparePep440(a: string, b: string): number {
  const x = parsePep440(a);
  const y = parsePep440(b);
  if (!x) throw new TypeError(`not a PEP 440 version: "${a}"`);
  if (!y) throw new TypeError(`not a PEP 440 version: "${b}"`);
  const [xPre, xPreNumber] = preKey(x);
  const [yPre, yPreNumber] = preKey(y);
  return (
    sign(x.epoch - y.epoch) ||
    compareRelease(x.release, y.release) ||
    sign(xPre - yPre) ||
    sign(xPreNumber - yPreNumber) ||
    // No post release sorts before any; no dev release after any.
    sign((x.post ?? -1) - (y.post ?? -1)) ||
    sign((x.dev ?? Infinity) - (y.dev ?? Infinity) || 0) ||
    compareLocal(x.local, y.local)
  );
}
