// Package names as the database keys them. PyPI names are compared in PEP 503's normal form
// ('Django', 'django', 'zope_interface' and 'zope.interface' name one project each), so both the
// import and the lookup key them that way; Packagist names ('vendor/name') are case-insensitive
// to Composer, so they are keyed in lower case; other ecosystems' names are compared as given.

export function packageKey(ecosystem: string, name: string): string {
  const base = ecosystem.split(':')[0];
  if (base === 'PyPI') return name.toLowerCase().replace(/[-_.]+/g, '-');
  return base === 'Packagist' ? name.toLowerCase() : name;
}
