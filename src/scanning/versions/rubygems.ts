// RubyGems versions, ordered as Gem::Version orders them: the version is split into runs of
// digits (numbers) and of letters (words, which make it a pre-release); trailing zeros of the
// release part and of the pre-release part do not count; a word sorts below a number; a
// missing segment counts as 0. A '-' reads as ".pre." (1.0-1 is a pre-release of 1.0).

const valid = /^\s*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?\s*$/;

export function isRubyGemsVersion(version: string): boolean {
  return valid.test(version);
}

/** The canonical segments: release numbers, then pre-release segments, trailing zeros dropped from each. */
function canonicalSegments(version: string): (number | string)[] {
  const text = version.trim().replaceAll('-', '.pre.');
  const segments = (text.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const firstWord = segments.findIndex((s) => typeof s === 'string');
  const release = firstWord < 0 ? segments : segments.slice(0, firstWord);
  const prerelease = firstWord < 0 ? [] : segments.slice(firstWord);
  const trim = (part: (number | string)[]) => {
    let end = part.length;
    while (end > 0 && part[end - 1] === 0) end--;
    return part.slice(0, end);
  };
  return [...trim(release), ...trim(prerelease)];
}

/** Compares two RubyGems versions (-1, 0, 1); throws on one that Gem::Version refuses. */
export function compareRubyGems(a: string, b: string): number {
  if (!isRubyGemsVersion(a)) throw new TypeError(`not a RubyGems version: "${a}"`);
  if (!isRubyGemsVersion(b)) throw new TypeError(`not a RubyGems version: "${b}"`);
  const x = canonicalSegments(a);
  const y = canonicalSegments(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const l = x[i] ?? 0;
    const r = y[i] ?? 0;
    if (l === r) continue;
    if (typeof l !== typeof r) return typeof l === 'string' ? -1 : 1;
    return l < r ? -1 : 1;
  }
  return 0;
}
