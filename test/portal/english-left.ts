import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

// What the 简体中文 tests check: the page's visible text (visible-text.browser.js, run in the
// browser), with data and names taken out, has no Latin word of three letters or more left.
// Names of products, standards and formats stay as they are, as Harbor's Chinese portal keeps
// them; each test adds the names of what it created and the selectors whose text is data.

const visibleText = readFileSync(new URL('./visible-text.browser.js', import.meta.url), 'utf8')
  .replace(/^\/\/.*\n/gm, '')
  .trim()
  .replace(/;$/, '');

/** Data every page may show as it is: URLs, digests, dates, sizes, media types, product and standard names. */
export const commonAllowed: readonly RegExp[] = [
  /https?:\/\/\S+/g,
  /\bsha256:[0-9a-f]+/g,
  /\d{4}[-/]\d{1,2}[-/]\d{1,2}[\sT]?[\d:]*/g,
  // Colors before sizes: #FFDC0B is no 0 B.
  /#[0-9A-F]{6}\b/g,
  /\d[\d.,]* ?(B|KiB|MiB|GiB|TiB)\b/g,
  /\b(application|text)\/[\w.+-]+/g,
  /\b(Berth|Harbor|English|admin|SBOM|SPDX|CycloneDX|CVE|CVSS|CSV|OSV|JSON|URL)\b/g,
];

/** Selectors whose text is data on every page. */
export const commonDataSelectors: readonly string[] = ['code', 'pre', 'select option'];

/** The visible texts of `page` that still hold English once data and `allowed` names are taken out (each once). */
export async function englishLeft(
  page: Page,
  { allowed = [], dataSelectors = [] }: { allowed?: readonly RegExp[]; dataSelectors?: readonly string[] } = {},
): Promise<string[]> {
  const skip = [...commonDataSelectors, ...dataSelectors];
  const text = await page.evaluate<string[]>(`(${visibleText})(${JSON.stringify(skip)})`);
  const patterns = [...commonAllowed, ...allowed];
  return [
    ...new Set(
      text
        .map((part) => patterns.reduce((rest, pattern) => rest.replace(pattern, ' '), part))
        .filter((rest) => /[A-Za-z]{3,}/.test(rest)),
    ),
  ];
}
