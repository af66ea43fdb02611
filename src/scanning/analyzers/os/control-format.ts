// Debian's control-file format (deb822(5), Debian Policy 5.1): stanzas of "Field: value" lines
// separated by blank lines; a line starting with a space or tab continues the field before it.
// dpkg's status database, distroless status.d files and DEP-5 copyright files are all in it.

/** One stanza's fields, by lower-cased field name (field names are case-insensitive). */
export type Stanza = Map<string, string>;

export interface ParsedControl {
  stanzas: Stanza[];
  /** Lines that are neither a field, a continuation nor blank (counted, and skipped). */
  badLines: number;
}

/** Parses deb822 text; CRLF line ends and '#' comment lines are accepted. */
export function parseControl(text: string): ParsedControl {
  const stanzas: Stanza[] = [];
  let stanza: Stanza | undefined;
  let field: string | undefined;
  let badLines = 0;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      if (stanza) stanzas.push(stanza);
      stanza = undefined;
      field = undefined;
    } else if (line.startsWith('#')) {
      continue;
    } else if (line.startsWith(' ') || line.startsWith('\t')) {
      if (stanza && field !== undefined) stanza.set(field, `${stanza.get(field)}\n${line.trim()}`);
      else badLines++;
    } else {
      const colon = line.indexOf(':');
      if (colon <= 0) {
        badLines++;
        continue;
      }
      stanza ??= new Map();
      field = line.slice(0, colon).trim().toLowerCase();
      stanza.set(field, line.slice(colon + 1).trim());
    }
  }
  if (stanza) stanzas.push(stanza);
  return { stanzas, badLines };
}
