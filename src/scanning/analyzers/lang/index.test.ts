import assert from 'node:assert/strict';
import { test } from 'node:test';
import { languageAnalyzers } from './index.js';

test('one library analyzer per ecosystem, each wanting its own files and none under proc/, sys/ or dev/', () => {
  const analyzers = languageAnalyzers();
  assert.deepEqual(
    analyzers.map((a) => a.name),
    ['npm', 'python', 'go', 'java', 'cargo', 'ruby', 'composer'],
  );
  const samples = {
    npm: 'app/package-lock.json',
    python: 'usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA',
    go: 'usr/local/bin/app',
    java: 'app/app.jar',
    cargo: 'app/Cargo.lock',
    ruby: 'app/Gemfile.lock',
    composer: 'var/www/composer.lock',
  };
  for (const analyzer of analyzers) {
    for (const [name, path] of Object.entries(samples)) {
      assert.equal(analyzer.wants(path), name === analyzer.name, `${analyzer.name} wants ${path}`);
      for (const pseudo of ['proc', 'sys', 'dev']) assert.ok(!analyzer.wants(`${pseudo}/${path}`), `${pseudo}/${path}`);
    }
    assert.ok(analyzer.maxFileSize > 0);
  }
});
