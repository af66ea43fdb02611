import type { FastifyReply, FastifyRequest } from 'fastify';

// Response headers that keep browsers from framing, sniffing or leaking Berth's pages.

/**
 * The portal loads its own scripts, styles, fonts and images only. Mantine sets inline
 * style attributes and injects its CSS variables in a <style> element: style-src needs 'unsafe-inline'.
 */
export const portalContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

/** Headers of every portal page and asset. */
export const portalSecurityHeaders: Record<string, string> = {
  'content-security-policy': portalContentSecurityPolicy,
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
};

/** onRequest hook: no response of Berth's is content-sniffed into something else. */
export async function noSniff(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('x-content-type-options', 'nosniff');
}
