// Berth's public REST API (Harbor's /api/v2.0) and the portal session (/c/login, /c/log_out).
// A session's writes carry the CSRF token that every /api/v2.0 response to it returns.

export const apiBase = '/api/v2.0';
const csrfHeader = 'X-Harbor-CSRF-Token';

/** An API refusal, with the message from Harbor's error body {"errors":[{"code","message"}]}. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export interface Page<T> {
  items: T[];
  /** X-Total-Count: the number of rows across all pages. */
  total: number;
}

export type Query = Record<string, string | number | boolean | undefined>;
export type Transport = (url: string, init: RequestInit) => Promise<Response>;

/** Reads Harbor's (or the registry's) error body into plain words. */
export async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    const first = body.errors?.[0];
    if (first?.message) return new ApiError(res.status, first.code ?? 'UNKNOWN', first.message);
  } catch {
    // Not JSON: a proxy's page or an empty body.
  }
  return new ApiError(res.status, 'UNKNOWN', text.trim().slice(0, 200) || `${res.status} ${res.statusText}`.trim());
}

export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export class ApiClient {
  private csrfToken: string | undefined;
  private readonly transport: Transport;

  constructor(transport: Transport = (url, init) => fetch(url, init)) {
    this.transport = transport;
  }

  private async send(method: string, url: string, body?: unknown, extra?: Record<string, string>): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...extra };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && method !== 'HEAD' && this.csrfToken) headers[csrfHeader] = this.csrfToken;
    const res = await this.transport(url, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const token = res.headers.get(csrfHeader);
    if (token) this.csrfToken = token;
    if (!res.ok) throw await errorOf(res);
    return res;
  }

  async get<T>(path: string, query?: Query): Promise<T> {
    const res = await this.send('GET', `${apiBase}${path}${queryString(query)}`);
    return (await res.json()) as T;
  }

  async list<T>(path: string, query?: Query): Promise<Page<T>> {
    const res = await this.send('GET', `${apiBase}${path}${queryString(query)}`);
    const items = (await res.json()) as T[] | null;
    return { items: items ?? [], total: Number(res.headers.get('x-total-count') ?? items?.length ?? 0) };
  }

  /** POST, PUT, PATCH or DELETE (with the headers an operation needs, e.g. X-Scan-Data-Type); returns the JSON body when there is one. */
  async write<T = void>(
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<T> {
    const res = await this.send(method, `${apiBase}${path}`, body, headers);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async login(username: string, password: string): Promise<void> {
    const res = await this.transport('/c/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ principal: username, password }).toString(),
      credentials: 'same-origin',
    });
    if (!res.ok) throw await errorOf(res);
    this.csrfToken = res.headers.get(csrfHeader) ?? undefined;
  }

  async logout(): Promise<void> {
    this.csrfToken = undefined;
    const res = await this.transport('/c/log_out', { method: 'GET', credentials: 'same-origin' });
    if (!res.ok) throw await errorOf(res);
  }
}

/** Harbor's path segment for a repository inside its project: the rest of the name, encoded twice. */
export function repositoryPath(projectName: string, repositoryName: string): string {
  const inProject = repositoryName.startsWith(`${projectName}/`)
    ? repositoryName.slice(projectName.length + 1)
    : repositoryName;
  return `/projects/${encodeURIComponent(projectName)}/repositories/${encodeURIComponent(encodeURIComponent(inProject))}`;
}

/** An artifact's API path by digest or tag. */
export function artifactPath(projectName: string, repository: string, reference: string): string {
  return `${repositoryPath(projectName, repository)}/artifacts/${encodeURIComponent(reference)}`;
}
