// The os-release file format (os-release(5)): one VAR=value assignment a line, shell-style:
// values optionally in single or double quotes, backslash escapes in double quotes and outside
// quotes, '#' comment lines, blank lines. Lines that are none of these are ignored, as
// systemd ignores them.

const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

/** The variables of an os-release file; later assignments win. */
export function parseOsRelease(text: string): Map<string, string> {
  const variables = new Map<string, string>();
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = assignment.exec(line);
    if (!match) continue;
    const value = unquote(match[2]!);
    if (value !== undefined) variables.set(match[1]!, value);
  }
  return variables;
}

/** A shell word's value: quotes removed, escapes applied; undefined when a quote is left open. */
function unquote(word: string): string | undefined {
  let value = '';
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < word.length; i++) {
    const char = word[i]!;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else value += char;
    } else if (char === '\\' && i + 1 < word.length) {
      const next = word[++i]!;
      // In double quotes only \" \\ \$ \` are escapes; a backslash before anything else stays.
      value += quote === '"' && !'"\\$`'.includes(next) ? `\\${next}` : next;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else value += char;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '#' && /\s$/.test(word.slice(0, i))) {
      return value.trimEnd(); // an unquoted comment after the value
    } else {
      value += char;
    }
  }
  return quote === undefined ? value : undefined;
}
