// The one catalogue of error codes Berth speaks. Each wire code is defined once with
// its HTTP status and default message; domain code throws `new BerthError(code)` and
// api/ turns it into the OCI envelope on /v2 or Harbor's body on /api/v2.0.

export const errorCatalogue = {
  // OCI Distribution Spec v1.1, "Error Codes", plus distribution/distribution's extras.
  BLOB_UNKNOWN: { status: 404, message: 'blob unknown to registry' },
  BLOB_UPLOAD_INVALID: { status: 400, message: 'blob upload invalid' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: 'blob upload unknown to registry' },
  DIGEST_INVALID: { status: 400, message: 'provided digest did not match uploaded content' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, message: 'manifest references a manifest or blob unknown to registry' },
  MANIFEST_INVALID: { status: 400, message: 'manifest invalid' },
  MANIFEST_UNKNOWN: { status: 404, message: 'manifest unknown to registry' },
  NAME_INVALID: { status: 400, message: 'invalid repository name' },
  NAME_UNKNOWN: { status: 404, message: 'repository name not known to registry' },
  SIZE_INVALID: { status: 400, message: 'provided length did not match content length' },
  TAG_INVALID: { status: 400, message: 'manifest tag did not match URI' },
  RANGE_INVALID: { status: 416, message: 'invalid content range' },
  PAGINATION_NUMBER_INVALID: { status: 400, message: 'invalid number of results requested' },
  UNAUTHORIZED: { status: 401, message: 'authentication required' },
  DENIED: { status: 403, message: 'requested access to the resource is denied' },
  UNSUPPORTED: { status: 405, message: 'the operation is unsupported' },
  NOT_FOUND: { status: 404, message: 'not found' },
  TOOMANYREQUESTS: { status: 429, message: 'too many requests' },
  UNAVAILABLE: { status: 503, message: 'the service is busy; retry later' },
  // Harbor REST API codes (src/lib/errors/const.go).
  BAD_REQUEST: { status: 400, message: 'bad request' },
  FORBIDDEN: { status: 403, message: 'forbidden' },
  CONFLICT: { status: 409, message: 'conflict' },
  PRECONDITION: { status: 412, message: 'precondition failed' },
  /** A project's policy refuses the pull (Harbor's PROJECTPOLICYVIOLATION: prevent_vul). */
  PROJECTPOLICYVIOLATION: { status: 412, message: 'the project policy refuses this artifact' },
  VIOLATE_FOREIGN_KEY_CONSTRAINT: { status: 412, message: 'the deleting artifact is referenced by others' },
  UNPROCESSABLE_ENTITY: { status: 422, message: 'unprocessable entity' },
  UNKNOWN: { status: 500, message: 'unknown error' },
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

export class BerthError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: unknown;
  /** Extra response headers the error carries (e.g. `Range` on a 416 upload chunk). */
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    message?: string,
    options: { detail?: unknown; headers?: Record<string, string>; status?: number; cause?: unknown } = {},
  ) {
    super(message ?? errorCatalogue[code].message, { cause: options.cause });
    this.name = 'BerthError';
    this.code = code;
    this.status = options.status ?? errorCatalogue[code].status;
    this.detail = options.detail;
    this.headers = options.headers ?? {};
  }
}

export function isBerthError(err: unknown): err is BerthError {
  return err instanceof BerthError;
}
