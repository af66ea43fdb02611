import { startTestBerth, testAdminPassword, type TestBerth } from './berth.js';

// A Berth with a known admin password, and a small client for Harbor's REST API.

export const adminPassword = testAdminPassword;

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

export const adminAuth = basic('admin', adminPassword);

export async function startApiBerth(overrides: Record<string, unknown> = {}): Promise<TestBerth> {
  return startTestBerth({ adminPassword, ...overrides });
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** Calls /api/v2.0 with JSON in and out; `auth` is an Authorization header value (default: admin). */
export async function api<T = unknown>(
  server: TestBerth,
  method: string,
  path: string,
  options: { body?: unknown; auth?: string | null; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  const auth = options.auth === undefined ? adminAuth : options.auth;
  if (auth) headers.authorization = auth;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${server.url}/api/v2.0${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = text;
  if (text && (res.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: body as T };
}
