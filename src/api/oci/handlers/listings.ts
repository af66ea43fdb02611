import type { Page } from '../../../registry/index.js';
import type { OciContext } from '../context.js';

// GET /v2/, /v2/_catalog, /v2/<name>/tags/list, /v2/<name>/referrers/<digest>

export async function base({ reply }: OciContext) {
  return reply.code(200).header('content-type', 'application/json').send('{}');
}

export async function catalog({ reply, query, registry }: OciContext) {
  const page = await registry.listings.catalog(query.get('n') ?? undefined, query.get('last') ?? undefined);
  return sendPage(reply, page, '/v2/_catalog', query, { repositories: page.items });
}

export async function tagsList({ reply, params, query, registry }: OciContext) {
  const page = await registry.listings.tags(params.name, query.get('n') ?? undefined, query.get('last') ?? undefined);
  return sendPage(reply, page, `/v2/${params.name}/tags/list`, query, { name: params.name, tags: page.items });
}

export async function referrers({ reply, params, query, registry }: OciContext) {
  const artifactType = query.get('artifactType') ?? undefined;
  const index = await registry.listings.referrers(params.name, params.digest, artifactType);
  if (artifactType !== undefined) reply.header('oci-filters-applied', 'artifactType');
  // A Buffer, not a string: fastify would append "; charset=utf-8" to the media type clients match exactly.
  return reply
    .code(200)
    .header('content-type', index.mediaType)
    .send(Buffer.from(JSON.stringify(index)));
}

/** RFC 5988 `Link: <…?n=…&last=…>; rel="next"` when more entries follow (distribution spec "Listing tags"). */
function sendPage(reply: OciContext['reply'], page: Page, path: string, query: URLSearchParams, body: object) {
  if (page.next !== undefined) {
    const next = new URLSearchParams({ n: query.get('n') ?? String(page.items.length), last: page.next });
    reply.header('link', `<${path}?${next.toString()}>; rel="next"`);
  }
  return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(body));
}
