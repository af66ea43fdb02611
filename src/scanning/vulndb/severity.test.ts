import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cvss2BaseScore, cvss3BaseScore } from './cvss.js';
import { parseAdvisory } from './osv.js';
import { advisorySeverity, severityOfScore, severityOfWord } from './severity.js';

// CVSS base scores against FIRST's published examples (CVSS v3.1 Examples document) and NVD's
// scores for common vectors; Harbor's severity bands; the words of GHSA, Debian and Ubuntu.

test('CVSS v3.1 base scores of the specification examples', () => {
  const examples: [string, number][] = [
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1], // CVE-2013-1937 phpMyAdmin XSS
    ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N', 6.4], // CVE-2013-0375 MySQL
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N', 3.1], // CVE-2014-3566 POODLE
    ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', 9.9], // CVE-2012-1516 VMware
    ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 8.8], // CVE-2012-0384 Cisco IOS
    ['CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 7.8], // CVE-2015-1098 Apple iWork
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5], // CVE-2014-0160 Heartbleed
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8], // CVE-2014-6271 Shellshock
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N', 6.8], // CVE-2008-1447 DNS cache poisoning
    ['CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 6.8], // CVE-2014-2005 Sophos disk encryption
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N', 5.8], // CVE-2010-0467 Joomla directory traversal
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:L/A:N', 5.8], // CVE-2012-1342 Cisco ACL bypass
  ];
  for (const [vector, score] of examples) assert.equal(cvss3BaseScore(vector), score, vector);
});

test('CVSS v3 base scores NVD publishes for common vectors, v3.0 included', () => {
  const nvd: [string, number][] = [
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L', 5.3], // CVE-2022-25883 semver
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10], // CVE-2021-44228 log4shell
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:H', 9.1], // CVE-2024-5535 openssl
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N', 5.4], // CVE-2024-22195 jinja2
    ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H', 5.5],
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H', 8.1],
    ['CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.0],
    ['CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', 7.2],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8], // CVE-2017-5941 node-serialize
    ['CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.8],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0],
    // Temporal metrics in the vector do not change the base score.
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/E:U/RL:O/RC:C', 7.5],
  ];
  for (const [vector, score] of nvd) assert.equal(cvss3BaseScore(vector), score, vector);
});

test('vectors that are not CVSS v3 give no score', () => {
  for (const vector of [
    'AV:N/AC:L/Au:N/C:P/I:N/A:N',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/C:H/I:N/A:N', // no scope
    'CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
    'CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
    'CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N',
    '',
  ])
    assert.equal(cvss3BaseScore(vector), undefined, vector);
});

test('CVSS v2 base scores NVD publishes', () => {
  const nvd: [string, number][] = [
    ['AV:N/AC:L/Au:N/C:P/I:N/A:N', 5.0], // CVE-2014-0160 Heartbleed
    ['AV:N/AC:L/Au:N/C:C/I:C/A:C', 10.0], // CVE-2014-6271 Shellshock
    ['AV:N/AC:M/Au:N/C:P/I:P/A:P', 6.8],
    ['AV:L/AC:L/Au:N/C:C/I:C/A:C', 7.2],
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', 7.5],
    ['AV:N/AC:M/Au:N/C:N/I:P/A:N', 4.3],
    ['AV:L/AC:L/Au:N/C:P/I:N/A:N', 2.1],
    ['AV:N/AC:L/Au:S/C:P/I:P/A:P', 6.5],
    ['AV:N/AC:M/Au:N/C:C/I:C/A:C', 9.3],
    ['AV:N/AC:H/Au:N/C:P/I:N/A:N', 2.6],
    ['(AV:N/AC:L/Au:N/C:N/I:N/A:N)', 0],
  ];
  for (const [vector, score] of nvd) assert.equal(cvss2BaseScore(vector), score, vector);
  assert.equal(cvss2BaseScore('AV:N/AC:L/Au:N/C:P/I:N'), undefined);
});

test("Harbor's severity bands", () => {
  assert.deepEqual([0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(severityOfScore), [
    'None',
    'Low',
    'Low',
    'Medium',
    'Medium',
    'High',
    'High',
    'Critical',
    'Critical',
  ]);
});

test('severity words of GHSA, Debian and Ubuntu', () => {
  assert.equal(severityOfWord('MODERATE'), 'Medium');
  assert.equal(severityOfWord('CRITICAL'), 'Critical');
  assert.equal(severityOfWord('unimportant'), 'Low');
  assert.equal(severityOfWord('not yet assigned'), 'Unknown');
  assert.equal(severityOfWord('low**'), 'Low');
  assert.equal(severityOfWord('negligible'), 'Low');
  assert.equal(severityOfWord('whatever'), undefined);
});

const base = { id: 'X-1', modified: '2024-01-01T00:00:00Z', affected: [] };

test("an advisory's severity: CVSS v3 first, then v2, then words, else Unknown", () => {
  const v3 = advisorySeverity(
    parseAdvisory({
      ...base,
      severity: [
        { type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:P/I:N/A:N' },
        { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' },
      ],
      database_specific: { severity: 'LOW' },
    }),
  );
  assert.deepEqual(v3, {
    severity: 'High',
    cvss: {
      scoreV2: 5,
      vectorV2: 'AV:N/AC:L/Au:N/C:P/I:N/A:N',
      scoreV3: 7.5,
      vectorV3: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
    },
  });
  const v2 = advisorySeverity(
    parseAdvisory({ ...base, severity: [{ type: 'CVSS_V2', score: 'AV:N/AC:M/Au:N/C:C/I:C/A:C' }] }),
  );
  assert.equal(v2.severity, 'High', 'v2 has no Critical band');
  const ghsa = advisorySeverity(parseAdvisory({ ...base, database_specific: { severity: 'MODERATE' } }));
  assert.deepEqual(ghsa, { severity: 'Medium', cvss: {} });
  const debian = parseAdvisory({
    ...base,
    affected: [
      { package: { ecosystem: 'Debian:11', name: 'x' }, ecosystem_specific: { urgency: 'unimportant' } },
      { package: { ecosystem: 'Debian:12', name: 'x' }, ecosystem_specific: { urgency: 'medium' } },
    ],
  });
  assert.equal(advisorySeverity(debian).severity, 'Medium', 'the most severe word');
  const v4only = parseAdvisory({
    ...base,
    severity: [{ type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N' }],
  });
  assert.equal(advisorySeverity(v4only).severity, 'Unknown');
  const ubuntu = parseAdvisory({ ...base, severity: [{ type: 'Ubuntu', score: 'high' }] });
  assert.equal(advisorySeverity(ubuntu).severity, 'High');
});
