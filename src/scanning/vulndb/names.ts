// Package names as the database keys them. PyPI names are compared in PEP 503's normal form
// ('Django', 'django', 'zope_interface' and 'zope.interface' name one project each), so both the
// import and the lookup key them that way; other ecosystems' names are compared as given.

export function packageKey(ecosystem: string, name: string): string {
  return ecosystem.split(':')[0] === 'PyPI' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name;
}
