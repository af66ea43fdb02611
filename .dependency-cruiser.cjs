/**
 * Berth's architecture, checked in CI (`npm run lint`): no import cycles, and each part of
 * src/ imports only parts of lower layers (DESIGN.md: api → features → repo / storage → shared).
 * A new feature folder joins the features' layer; features reach each other only through
 * another folder's index.ts or through domain events.
 */
const layers = [
  ['shared'],
  ['config', 'cache', 'storage', 'db'],
  ['jobs'],
  ['feature.ts'],
  ['registry', 'audit', 'auth'],
  ['iam', 'artifacts'],
  ['gc', 'quota', 'immutable', 'labels', 'scanning'],
  ['retention'],
  ['api'],
  ['main.ts'],
  ['cli'],
];
const pathOf = (part) => (part.endsWith('.ts') ? `^src/${part.replace('.', '\\.')}$` : `^src/${part}/`);

const layerRules = layers.slice(0, -1).flatMap((layer, i) =>
  layer.map((part) => {
    const sameOrHigher = layers
      .slice(i)
      .flat()
      .filter((other) => other !== part);
    return {
      name: `layer:${part}`,
      severity: 'error',
      comment: `${part} may import only lower layers (${layers.slice(0, i).flat().join(', ') || 'nothing in src'})`,
      from: { path: pathOf(part) },
      to: { path: sameOrHigher.map(pathOf) },
    };
  }),
);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make start-up order and tests fragile: break them with a types file or an index.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-test',
      severity: 'error',
      comment: 'Production code never imports test code.',
      from: { path: '^src/', pathNot: ['\\.test\\.ts$', '^src/.*/suite(/|\\.ts$)', '^src/jobs/queue-suite\\.ts$'] },
      to: { path: ['^test/', '\\.test\\.ts$', '^src/.*/suite(/|\\.ts$)', '^src/jobs/queue-suite\\.ts$'] },
    },
    {
      name: 'not-to-internals',
      severity: 'error',
      comment: 'Another folder is reached through its index.ts (its public surface); shared/ is a toolbox of modules.',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', '^src/shared/', '^src/[^/]+/index\\.ts$'] },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
