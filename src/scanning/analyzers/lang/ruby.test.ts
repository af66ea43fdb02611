import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageFile } from '../../model.js';
import { rubyAnalyzer } from './ruby.js';

const file = (path: string, content: string): ImageFile => ({
  path,
  layer: 'sha256:layer',
  content: Buffer.from(content),
});

// The shape Bundler 2 writes: GIT/PATH sources, the GEM section's specs (four spaces) with their
// dependencies (six spaces), platform-specific gems, PLATFORMS, DEPENDENCIES, BUNDLED WITH.
const gemfileLock = `GIT
  remote: https://github.com/example/forked.git
  revision: 0123456789abcdef0123456789abcdef01234567
  specs:
    forked (0.1.0)

GEM
  remote: https://rubygems.org/
  specs:
    actionpack (7.0.8)
      actionview (= 7.0.8)
      rack (~> 2.0, >= 2.2.4)
    nokogiri (1.15.4-x86_64-linux)
      racc (~> 1.4)
    nokogiri (1.15.4-aarch64-linux)
      racc (~> 1.4)
    racc (1.7.3)
    rack (2.2.8)

PLATFORMS
  aarch64-linux
  x86_64-linux

DEPENDENCIES
  actionpack (~> 7.0)
  forked!
  nokogiri

BUNDLED WITH
   2.4.22
`;

// What \`gem install\` writes into specifications/.
const installedSpec = `# -*- encoding: utf-8 -*-
# stub: rack 2.2.8 ruby lib

Gem::Specification.new do |s|
  s.name = "rack".freeze
  s.version = "2.2.8"

  s.required_rubygems_version = Gem::Requirement.new(">= 0".freeze) if s.respond_to? :required_rubygems_version=
  s.require_paths = ["lib".freeze]
  s.authors = ["Leah Neukirchen".freeze]
  s.licenses = ["MIT".freeze]
  s.summary = "A modular Ruby webserver interface".freeze
end
`;

test('Gemfile.lock: the GEM specs, versions without their platform, one package per version', async () => {
  const result = await rubyAnalyzer.analyze([file('app/Gemfile.lock', gemfileLock)], {});
  assert.deepEqual(result.notes, []);
  assert.deepEqual(
    result.packages.map((p) => [p.ecosystem, p.name, p.version, p.purl]),
    [
      ['RubyGems', 'actionpack', '7.0.8', 'pkg:gem/actionpack@7.0.8'],
      ['RubyGems', 'nokogiri', '1.15.4', 'pkg:gem/nokogiri@1.15.4'],
      ['RubyGems', 'racc', '1.7.3', 'pkg:gem/racc@1.7.3'],
      ['RubyGems', 'rack', '2.2.8', 'pkg:gem/rack@2.2.8'],
    ],
  );
});

test('installed specifications, with licences; one without a version is a note', async () => {
  const path = 'usr/local/bundle/specifications/rack-2.2.8.gemspec';
  assert.ok(rubyAnalyzer.wants(path));
  assert.ok(!rubyAnalyzer.wants('app/rack.gemspec'));
  const old = `Gem::Specification.new do |spec|\n  spec.name = 'json'\n  spec.version = Gem::Version.new("1.8.6")\n  spec.license = 'Ruby'\nend\n`;
  const result = await rubyAnalyzer.analyze(
    [
      file(path, installedSpec),
      file('var/lib/gems/3.1.0/specifications/json-1.8.6.gemspec', old),
      file('var/lib/gems/3.1.0/specifications/broken.gemspec', 'Gem::Specification.new do |s|\n  s.name = "x"\nend\n'),
    ],
    {},
  );
  assert.deepEqual(
    result.packages.map((p) => [p.name, p.version, p.licenses, p.path]),
    [
      ['rack', '2.2.8', ['MIT'], path],
      ['json', '1.8.6', ['Ruby'], 'var/lib/gems/3.1.0/specifications/json-1.8.6.gemspec'],
    ],
  );
  assert.deepEqual(result.notes, [
    'Ruby file var/lib/gems/3.1.0/specifications/broken.gemspec could not be read: no name or version in the specification',
  ]);
});
