// The sorted listing kept between runs (core/releases/tagListingMemo.ts through the command
// line's tag cache): whatever is kept, the releases come out exactly as a port that keeps
// nothing lists them, with the same order and the same fields, after tags are added, moved,
// deleted, re-annotated or made prereleases, under another pattern, and with a kept file
// that lies; and a listing whose tags are unchanged is decoded, not read again.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { emptyRecords, listReleases, type ReleaseListing } from '../../../src/core/releases';
import { NO_MARKERS, type Release } from '../../../src/core/releases/release';
import { decodeReleases, encodeReleases, tagListingMemo } from '../../../src/core/releases/tagListingMemo';
import { compareVersions, parseTagVersion } from '../../../src/core/releases/version';
import { SimpleGitPort } from '../../../src/infra/git/simpleGitPort';
import { fileTagFieldsCache, type KeptListing, type TagFieldsCache } from '../../../src/infra/git/tagCache';
import { GitFixture, tempDir } from './gitFixture';

/** The file cache, counting the kept listings it handed out and took. */
function counted(file: string): TagFieldsCache & { decodedFrom: number; saved: number } {
  const inner = fileTagFieldsCache(file);
  const c = {
    decodedFrom: 0,
    saved: 0,
    load: () => inner.load(),
    save: inner.save,
    async loadListing(): Promise<KeptListing | undefined> {
      const kept = await inner.loadListing();
      if (kept) c.decodedFrom++;
      return kept;
    },
    saveListing(l: KeptListing): void {
      c.saved++;
      inner.saveListing(l);
    },
  };
  return c;
}

const list = (port: SimpleGitPort, tagPattern = 'v*'): Promise<ReleaseListing> => listReleases(port, { tagPattern, records: emptyRecords() });

void describe('kept tag listing: the same releases as a fresh read', () => {
  const tmp = tempDir('taglisting');
  let repo: GitFixture;
  let file: string;

  before(() => {
    repo = new GitFixture(tmp.path);
    const names = ['v1.0.0', 'v1.10.0', 'v1.2.0', 'v2.0.0-rc.1', 'v2.0.0-rc.10', 'v2.0.0-rc.2', 'v2.0.0', 'v-not-semver', 'vlast'];
    names.forEach((name, i) => {
      repo.commit(`change ${i}`, { 'a.txt': String(i) });
      repo.tag(name, { annotated: i % 2 === 0, message: `Release ${name}\n\nbody line` });
    });
    repo.git('tag', '-a', '-m', 'a tag of a tag', 'v9.9.9-nested', 'v1.0.0');
    repo.tag('app-v3.1.0');
    repo.tag('app-v3.0.0', { ref: 'HEAD~1' });
    file = join(tmp.path, 'cache', 'tags.cache');
  });
  after(() => tmp.remove());

  const fresh = (pattern = 'v*') => list(new SimpleGitPort(repo.dir), pattern);

  void it('is kept by the first listing, decoded (not read) by the next with the same tags, and read again after any change', async () => {
    const cache = counted(file);
    const port = new SimpleGitPort(repo.dir, { tagCache: cache });
    const first = await list(port);
    assert.deepEqual(first, await fresh());
    assert.ok(first.releases.length >= 10, `listed ${first.releases.length}`);
    assert.equal(cache.saved, 1, 'the first listing is kept');

    const second = await list(port);
    assert.deepEqual(second, await fresh());
    assert.equal(JSON.stringify(second), JSON.stringify(first), 'the same JSON, field order included');
    assert.equal(cache.saved, 1, 'unchanged tags: decoded, not kept again');
    assert.notEqual(second.releases[0], first.releases[0], 'fresh release objects (a listing marks its own)');

    // A new tag, a moved tag, a deleted one, one re-annotated, a new prerelease between others.
    repo.commit('change new', { 'a.txt': 'new' });
    repo.tag('v2.1.0', { annotated: true });
    repo.git('tag', '-f', 'v1.2.0', 'HEAD');
    repo.git('tag', '-d', 'v1.10.0');
    repo.git('tag', '-f', '-a', '-m', 'Re-released', 'v2.0.0', 'v2.0.0^{commit}');
    repo.tag('v2.0.0-rc.3');
    assert.deepEqual(await list(port), await fresh());
    assert.equal(cache.saved, 2, 'changed tags: read afresh and kept');
    assert.deepEqual(await list(port), await fresh());
    assert.equal(cache.saved, 2);

    // Another pattern: its prefix decides what reads as a version, so the v* listing is not used.
    assert.deepEqual(await list(port, 'app-v*'), await fresh('app-v*'));
    assert.equal(cache.saved, 3);
    assert.deepEqual((await list(port, 'app-v*')).releases.map((r) => r.version), ['3.1.0', '3.0.0']);
  });

  void it('a kept listing that lies (checksum fitted), is damaged, of another format, or garbage is not used', async () => {
    const port = new SimpleGitPort(repo.dir, { tagCache: fileTagFieldsCache(file) });
    await list(port);
    const listingFile = `${file}.listing`;
    const text = readFileSync(listingFile, 'utf8');
    const [header, key, format, , ...rest] = text.split('\n');
    const refit = (body: string) => writeFileSync(listingFile, `${header}\n${key}\n${format}\n${createHash('sha256').update(body).digest('hex')}\n${body}`);
    const body = rest.join('\n');

    // Cut columns, a count that does not fit, a non-numeric time: each fitted with a valid checksum.
    for (const bad of [body.split('\0').slice(0, 5).join('\0'), body.replace(/^\d+/, '3'), body.replace(/\0(\d+)\n/, '\0soon\n')]) {
      refit(bad);
      assert.deepEqual(await list(port), await fresh());
    }
    writeFileSync(listingFile, text.replace('Release v2.1.0', 'Release v6.6.6'));
    assert.deepEqual(await list(port), await fresh());
    // Kept under other rules or another memo format (the line is the hash of the format).
    writeFileSync(listingFile, text.replace(format, createHash('sha256').update('releases v0 v*').digest('hex')));
    assert.deepEqual(await list(port), await fresh());
    writeFileSync(listingFile, '\0\0\0garbage\n\n');
    assert.deepEqual(await list(port), await fresh());
  });

  void it('is never used in a repository with replace refs', async () => {
    const port = new SimpleGitPort(repo.dir, { tagCache: fileTagFieldsCache(file) });
    await list(port);
    const sha = repo.git('rev-parse', 'v-not-semver').trim();
    const replacement = repo.git('commit-tree', '-m', 'replaced subject', `${sha}^{tree}`).trim();
    repo.git('replace', sha, replacement);
    try {
      const listed = await list(port);
      assert.deepEqual(listed, await fresh());
      assert.equal(listed.releases.find((r) => r.name === 'v-not-semver')?.subject, 'replaced subject');
    } finally {
      repo.git('replace', '-d', sha);
    }
  });

  void it('a listing that fails while the kept one is decoded fails as git failed, and nothing is left unhandled', async () => {
    let decoded = 0;
    const memo = { format: 'names only', add: () => undefined, finish: () => 'read', encode: () => 'kept', decode: (text: string) => (decoded++, text) };
    const port = new SimpleGitPort(repo.dir, { tagCache: fileTagFieldsCache(file) });
    assert.equal(await port.collectTags('v*', memo), 'read');
    assert.equal(await port.collectTags('v*', memo), 'kept');
    const unhandled: unknown[] = [];
    const note = (e: unknown): void => void unhandled.push(e);
    process.on('unhandledRejection', note);
    const broken = join(tmp.path, 'not-a-repository');
    mkdirSync(broken, { recursive: true });
    try {
      // The same kept file, in a folder where git cannot list the names.
      // The kept listing comes late: git has failed before it is decoded.
      const inner = fileTagFieldsCache(file);
      const late: TagFieldsCache = { ...inner, loadListing: () => new Promise((res) => setTimeout(res, 300)).then(() => inner.loadListing()) };
      await assert.rejects(new SimpleGitPort(broken, { tagCache: late }).collectTags('v*', memo), /not a git repository/i);
      assert.equal(decoded, 2, 'decoded meanwhile, and not used');
      await new Promise((res) => setTimeout(res, 50));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', note);
    }
  });
});

void describe('kept tag listing: the text', () => {
  const line = fc.string({ minLength: 0, maxLength: 12 }).filter((s) => !/[\n\0]/.test(s));
  const entry = fc.record({
    name: line.filter((s) => s !== ''),
    sha: fc.constantFrom('a'.repeat(40), 'b'.repeat(64)),
    time: fc.integer({ min: 0, max: 253402300799999 }),
    subject: line,
    annotated: fc.boolean(),
    version: fc.option(line.filter((s) => s !== '\x01'), { nil: undefined }),
  }).map(({ name, sha, time, subject, annotated, version }): Release => {
    const release: Release = { name, sha, date: new Date(time).toISOString(), isSemver: version !== undefined, markers: NO_MARKERS, source: 'tag', subject, annotated };
    if (version !== undefined) release.version = version;
    return release;
  });

  void it('decodes to exactly what was encoded, in order', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 30 }), (entries) => {
        const text = encodeReleases(entries);
        assert.ok(text !== undefined);
        assert.deepEqual(decodeReleases(text), entries);
      }),
      { numRuns: 300 },
    );
  });

  void it('the format is the rules that made the listing: their source text and the pattern', () => {
    const sink = { add: () => undefined, finish: () => [] };
    const format = tagListingMemo('v*', sink, [compareVersions, parseTagVersion]).format;
    for (const f of [compareVersions, parseTagVersion, encodeReleases, decodeReleases]) assert.ok(format.includes(String(f)), `${f.name} is part of the format`);
    assert.notEqual(tagListingMemo('app-v*', sink, [compareVersions, parseTagVersion]).format, format, 'another pattern, another format');
    assert.notEqual(tagListingMemo('v*', sink, [compareVersions]).format, format, 'other rules, another format');
  });

  void it('refuses to keep what the text cannot hold: a newline or NUL in a value, a marked or recorded release', () => {
    const [e] = fc.sample(entry, { numRuns: 1, seed: 7 });
    assert.equal(encodeReleases([{ ...e, subject: 'two\nlines' }]), undefined);
    assert.equal(encodeReleases([{ ...e, subject: 'nul\0inside' }]), undefined);
    assert.equal(encodeReleases([{ ...e, markers: ['bad'] }]), undefined);
    assert.equal(encodeReleases([{ ...e, source: 'deploy-record' }]), undefined);
  });
});
