/** A database.url that cannot be used: the message names the key and what is wrong. */
export class DatabaseUrlError extends Error {
  override name = 'DatabaseUrlError';
}

/** The URL with its password replaced by `***`, for messages and logs. */
export function maskUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}
