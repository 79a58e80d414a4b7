import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compare, valid } from 'semver';
import { describe, it } from "node:test";
import { compareVersions, parseTagVersion } from '../../../src/core/releases/version';
import { isoFromUnix } from '../../../src/core/releases/releases';

void describe('SemVer reading of tag names', () => {
  void it('orders exactly as the semver package does', () => {
    const ident = fc.oneof(fc.nat({ max: 20 }).map(String), fc.constantFrom('alpha', 'beta', 'rc', 'a1', '0a', 'x-y'));
    const version = fc.record({
      major: fc.nat({ max: 12 }),
      minor: fc.nat({ max: 12 }),
      patch: fc.nat({ max: 12 }),
      pre: fc.array(ident, { maxLength: 3 }),
    }).map((v) => `${v.major}.${v.minor}.${v.patch}${v.pre.length ? `-${v.pre.join('.')}` : ''}`);
    fc.assert(
      fc.property(version, version, (a, b) => {
        const va = parseTagVersion(`v${a}`, 'v');
        const vb = parseTagVersion(b, 'v');
        assert.ok(va && vb);
        assert.equal(Math.sign(compareVersions(va, vb)), compare(a, b));
      }),
      { numRuns: 500 },
    );
  });

  void it('accepts what semver accepts in loose mode, and no more', () => {
    for (const name of ['v1.2.3', '1.2.3', 'v1.2.3-rc.1', 'v1.2.3+build.5', '=1.2.3', 'v1.2.3beta', 'v01.2.3']) {
      assert.ok(parseTagVersion(name, 'v'), name);
    }
    for (const name of ['v1.2', 'vnext', 'v1.2.3.4', 'release-2024.01', `v${'9'.repeat(20)}.0.0`]) {
      assert.equal(parseTagVersion(name, 'v'), undefined, name);
    }
    assert.equal(parseTagVersion('v1.2.3+build.5', 'v')?.text, valid('1.2.3'));
    assert.equal(parseTagVersion('api-v2.0.0-rc.1', 'api-v')?.text, '2.0.0-rc.1');
  });
});

void describe('tag dates', () => {
  void it('formats unix seconds exactly as Date#toISOString does', () => {
    const cache = new Map<number, string>();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253402300799 }), (sec) => {
        assert.equal(isoFromUnix(sec, cache), new Date(sec * 1000).toISOString());
      }),
      { numRuns: 2000 },
    );
    for (const sec of [0, 86399, 86400, 951782400, 1709164799, 253402300799]) {
      assert.equal(isoFromUnix(sec, cache), new Date(sec * 1000).toISOString());
    }
  });
});
