import type { Principal } from '../auth/index.js';

/** Who asks for a change, and from where: what the audit log records. */
export interface Actor {
  principal: Principal;
  clientIp?: string;
}

/** A name filter from Harbor's `q`: exact, fuzzy (`~`) or one of a list (`{a b}`). */
export type NameMatch = { kind: 'exact' | 'fuzzy'; value: string } | { kind: 'any'; values: string[] };
