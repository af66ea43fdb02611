import type { GoModule } from './go-buildinfo.js';

// go.mod's require and replace directives (https://go.dev/ref/mod#go-mod-file), single-line
// (`require path v1.2.3`) and in blocks (`require ( … )`). Comments (`// indirect`) are dropped:
// an indirect requirement is still built into the program.

interface Directive {
  verb: string;
  args: string[];
}

/** The required modules, with replacements by another module version applied. */
export function parseGoMod(text: string): GoModule[] {
  const requires: GoModule[] = [];
  const replacements = new Map<string, GoModule>();
  for (const { verb, args } of directives(text)) {
    if (verb === 'require' && args.length >= 2) requires.push({ path: args[0]!, version: args[1]! });
    if (verb === 'replace') addReplacement(replacements, args);
  }
  return requires.map(
    (module) => replacements.get(`${module.path}@${module.version}`) ?? replacements.get(module.path) ?? module,
  );
}

/** `old [version] => new [version]`; a local directory (no version) replaces with unversioned code: kept as required. */
function addReplacement(replacements: Map<string, GoModule>, args: string[]): void {
  const arrow = args.indexOf('=>');
  if (arrow < 1) return;
  const [oldPath, oldVersion] = args.slice(0, arrow);
  const [newPath, newVersion] = args.slice(arrow + 1);
  if (!newPath || !newVersion) return;
  replacements.set(oldVersion ? `${oldPath}@${oldVersion}` : oldPath!, { path: newPath, version: newVersion });
}

function* directives(text: string): Generator<Directive> {
  let block: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (line === '') continue;
    if (block) {
      if (line === ')') block = undefined;
      else yield { verb: block, args: words(line) };
      continue;
    }
    const [verb = '', ...args] = words(line);
    if (args.length === 1 && args[0] === '(') block = verb;
    else yield { verb, args };
  }
}

/** Whitespace-separated words, with Go's quoted strings unquoted (module paths may be quoted). */
function words(line: string): string[] {
  return (line.match(/"(?:[^"\\]|\\.)*"|`[^`]*`|\S+/g) ?? []).map((word) =>
    /^["`]/.test(word) ? word.slice(1, -1) : word,
  );
}
