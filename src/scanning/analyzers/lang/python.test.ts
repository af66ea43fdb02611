import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { needTool, run } from '../../../../test/helpers/tools.js';
import type { ImageFile } from '../../model.js';
import { normalizeName, pythonAnalyzer } from './python.js';

const file = (path: string, content: string | Buffer): ImageFile => ({
  path,
  layer: 'sha256:layer',
  content: Buffer.isBuffer(content) ? content : Buffer.from(content),
});

test('wants dist-info METADATA, egg-info PKG-INFO and bare egg-info files', () => {
  for (const path of [
    'usr/local/lib/python3.12/site-packages/requests-2.31.0.dist-info/METADATA',
    'usr/lib/python3/dist-packages/PyYAML-6.0.1.egg-info/PKG-INFO',
    'usr/lib/python3/dist-packages/cupshelpers-1.0-py3.10.egg-info',
  ]) {
    assert.ok(pythonAnalyzer.wants(path), path);
  }
  for (const path of ['app/METADATA', 'x.dist-info/RECORD', 'proc/1/root/a-1.dist-info/METADATA']) {
    assert.ok(!pythonAnalyzer.wants(path), path);
  }
});

test("agrees with Python's importlib.metadata on the distributions installed on this machine", async (t) => {
  if (!needTool(t, 'python3')) return;
  const script = [
    'import importlib.metadata as m, json, os',
    'out = []',
    'for d in m.distributions():',
    '    p = getattr(d, "_path", None)',
    '    if p is None: continue',
    '    f = os.path.join(str(p), "METADATA" if str(p).endswith(".dist-info") else "PKG-INFO")',
    '    if os.path.isfile(str(p)): f = str(p)',
    '    if os.path.isfile(f): out.append({"file": f, "name": d.metadata["Name"], "version": d.version})',
    'print(json.dumps(out))',
  ].join('\n');
  const installed = JSON.parse(run('python3', ['-c', script])) as { file: string; name: string; version: string }[];
  assert.ok(installed.length > 0, 'python3 has at least pip installed');
  for (const dist of installed) {
    const path = dist.file.replace(/^\//, '');
    assert.ok(pythonAnalyzer.wants(path), path);
    const result = await pythonAnalyzer.analyze([file(path, readFileSync(dist.file))], {});
    assert.deepEqual(
      result.packages.map((p) => [p.name, p.version, p.purl]),
      [[normalizeName(dist.name), dist.version, `pkg:pypi/${normalizeName(dist.name)}@${dist.version}`]],
      dist.file,
    );
  }
});

test('PEP 503 names, licences from License-Expression, License or classifiers, continuation lines', async () => {
  const metadata = (headers: string) => `Metadata-Version: 2.1\n${headers}\n\nLicense: not a header, the description\n`;
  const result = await pythonAnalyzer.analyze(
    [
      file(
        'site-packages/Flask_SQLAlchemy-3.1.1.dist-info/METADATA',
        metadata('Name: Flask_SQLAlchemy\nVersion: 3.1.1\nLicense-Expression: BSD-3-Clause\nLicense: BSD'),
      ),
      file(
        'site-packages/PyYAML-6.0.1.dist-info/METADATA',
        metadata('Name: PyYAML\nVersion: 6.0.1\nLicense: MIT\nClassifier: License :: OSI Approved :: MIT License'),
      ),
      file(
        'site-packages/zope.interface-6.2.dist-info/METADATA',
        metadata(
          'Name: zope.interface\nVersion: 6.2\nLicense: Zope Public License\n        Version 2.1\n' +
            'Classifier: License :: OSI Approved :: Zope Public License',
        ),
      ),
      file(
        'dist-packages/cupshelpers-1.0-py3.10.egg-info',
        'Metadata-Version: 1.0\nName: cupshelpers\nVersion: 1.0\nLicense: UNKNOWN\n',
      ),
    ],
    {},
  );
  assert.deepEqual(
    result.packages.map((p) => [p.name, p.version, p.licenses, p.purl]),
    [
      ['flask-sqlalchemy', '3.1.1', ['BSD-3-Clause'], 'pkg:pypi/flask-sqlalchemy@3.1.1'],
      ['pyyaml', '6.0.1', ['MIT'], 'pkg:pypi/pyyaml@6.0.1'],
      ['zope-interface', '6.2', ['Zope Public License'], 'pkg:pypi/zope-interface@6.2'],
      ['cupshelpers', '1.0', [], 'pkg:pypi/cupshelpers@1.0'],
    ],
  );
});

test('metadata without a Name or Version is a note, not a package', async () => {
  const result = await pythonAnalyzer.analyze([file('a-1.dist-info/METADATA', '\u0000\u0001garbage')], {});
  assert.deepEqual(result.packages, []);
  assert.match(result.notes![0]!, /a-1\.dist-info\/METADATA could not be read: no Name or Version/);
});
