import { startTestBerth } from '../helpers/berth.js';
import { rawRequest } from '../helpers/oci.js';
const s = await startTestBerth();
for (const [m, p, h] of [
  ['GET', '/v2/%zz/tags/list'],
  ['GET', '/v2/foo%2Fbar/tags/list'],
  ['GET', '/v2/' + 'a'.repeat(3000) + '/tags/list'],
  ['GET', '/v2/foo/manifests/' + 'a'.repeat(3000)],
  ['OPTIONS', '/v2/'],
  ['TRACE', '/v2/'],
  ['PROPFIND', '/v2/'],
  ['GET', '/v2/_catalog?n=abc'],
  ['GET', '/v2/_catalog?n=0'],
  ['GET', '/v2/foo/tags/list?n=-1'],
  ['PUT', '/v2/foo/manifests/latest', { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'content-length': '10' }],
  ['POST', '/v2/foo/blobs/uploads/', { 'content-type': 'application/json' }],
  ['GET', '/v2/foo/referrers/sha256:abc'],
  ['GET', '/v2/foo/referrers/notadigest?artifactType=x'],
  ['GET', '/v2/foo/blobs/sha256:' + 'a'.repeat(64), { range: 'bytes=0-1' }],
  ['DELETE', '/v2/foo/manifests/-bad'],
  ['GET', '/v2/foo/manifests/'],
  ['GET', '/v2/foo/blobs/'],
  ['GET', '/v2/foo/tags/list/'],
  ['GET', '/v2//'],
  ['GET', '/v2/../v2/'],
] as [string, string, Record<string,string>?][]) {
  try {
    const r = await rawRequest(s.url + p, { method: m, headers: h, body: m === 'PUT' ? Buffer.from('0123456789') : undefined });
    console.log(m, p.slice(0, 60), r.status, r.headers['content-type'], r.headers['docker-distribution-api-version'], r.body.toString().slice(0, 200));
  } catch (e) { console.log(m, p.slice(0,60), 'ERR', (e as Error).message); }
}
await s.close();
