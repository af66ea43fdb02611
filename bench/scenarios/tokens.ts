import { loop, measure } from '../measure.js';
import type { Scenario } from '../scenario.js';
import { adminBasic, fetchToken, pushScope } from '../target.js';

// Berth only: how many registry tokens /service/token signs per second (RS256), for
// admin with Basic credentials (a cached argon2 check) and for anonymous pulls.

export const tokenScenarios: Scenario[] = [
  {
    id: 'token-issue',
    title: 'token issuance',
    targets: ['berth', 'berth (anonymous token)'],
    async run(target, options) {
      const authorization = target.credentials === 'admin-token' ? adminBasic : undefined;
      const scope = authorization ? pushScope('library/hot') : 'repository:library/hot:pull';
      const row = await measure(this.title, target.name, target.server.pid, () =>
        loop({ concurrency: options.concurrency, durationMs: options.hotLoopMs }, () =>
          fetchToken(target.client, [scope], authorization).then(() => undefined),
        ),
      );
      return [row];
    },
  },
];
