import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { IdentityProvider } from './contract.js';

// The one suite every identity provider runs (database now; LDAP and OIDC later). The
// factory puts the suite's users into its backing (a database, a directory) and opens
// a provider over it.

export interface SuiteUser {
  username: string;
  password: string;
  email: string;
  realname: string;
}

export interface ProviderFactory {
  open(users: SuiteUser[]): Promise<IdentityProvider>;
  /** Makes the backing fail (closed connection, directory down), to show errors are not bad credentials. */
  breakBackend(): Promise<void>;
  cleanup(): Promise<void>;
}

export const suiteUsers: SuiteUser[] = [
  { username: 'alice', password: 'Al1cePassword', email: 'alice@example.com', realname: 'Alice A' },
  { username: 'bob_b', password: 'B0bPassword', email: 'bob@example.com', realname: 'Bob B' },
  { username: 'bobby', password: 'B0bbyPassword', email: 'bobby@example.com', realname: 'Bobby C' },
];

export function providerSuite(name: string, factory: ProviderFactory, options: { skip?: string } = {}) {
  describe(`identity provider: ${name}`, { skip: options.skip }, () => {
    let provider: IdentityProvider;
    after(() => factory.cleanup());

    test('the right password authenticates and names the user', async () => {
      provider = await factory.open(suiteUsers);
      const result = await provider.authenticate('alice', 'Al1cePassword');
      assert.ok(result.ok);
      assert.equal(result.user.username, 'alice');
      assert.equal(result.user.email, 'alice@example.com');
      assert.equal(result.user.realname, 'Alice A');
    });

    test('a wrong password, an unknown user and an empty password are bad credentials, not errors', async () => {
      assert.deepEqual(await provider.authenticate('alice', 'Wr0ngPassword'), { ok: false, reason: 'bad-credentials' });
      assert.deepEqual(await provider.authenticate('nobody', 'Al1cePassword'), {
        ok: false,
        reason: 'bad-credentials',
      });
      assert.deepEqual(await provider.authenticate('alice', ''), { ok: false, reason: 'bad-credentials' });
      assert.deepEqual(await provider.authenticate('bob_b', 'Al1cePassword'), { ok: false, reason: 'bad-credentials' });
    });

    test('lookUp finds a user by exact name only', async () => {
      assert.equal((await provider.lookUp('bobby'))?.email, 'bobby@example.com');
      assert.equal(await provider.lookUp('bob'), undefined);
      assert.equal(await provider.lookUp('nobody'), undefined);
    });

    test('groups is a list of names, empty for an unknown user', async () => {
      assert.ok(Array.isArray(await provider.groups('alice')));
      assert.deepEqual(await provider.groups('nobody'), []);
    });

    test('search matches part of a name, in name order, at most limit; "_" is not a wildcard', async () => {
      assert.deepEqual(
        (await provider.search('bob', 10)).map((u) => u.username),
        ['bob_b', 'bobby'],
      );
      assert.deepEqual(
        (await provider.search('bob', 1)).map((u) => u.username),
        ['bob_b'],
      );
      assert.deepEqual(
        (await provider.search('b_b', 10)).map((u) => u.username),
        ['bob_b'],
      );
      assert.deepEqual(await provider.search('zzz', 10), []);
    });

    test('a backend that cannot answer throws: an outage is not a failed login', async () => {
      provider.forget?.();
      await factory.breakBackend();
      await assert.rejects(provider.authenticate('bobby', 'Wr0ngPassword'));
    });
  });
}
