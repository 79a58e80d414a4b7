// The command line's tag cache (src/infra/git/tagCache.ts) on real git repositories: whatever
// the cache holds, the tags come out exactly as a port without a cache lists them, in the same
// order, after tags are added, moved, deleted or re-annotated, with nested tags, with replace
// refs and with a cache file that lies.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TagRef } from '../../../src/core/releases/gitPort';
import { SimpleGitPort, TAG_FORMAT } from '../../../src/infra/git/simpleGitPort';
import { fileTagFieldsCache, tagCachePath, type KeptListing, type TagCacheContent, type TagFieldsCache } from '../../../src/infra/git/tagCache';
import { GitFixture, tempDir } from './gitFixture';

/** The file cache, counting what it was asked. */
function counted(file: string): TagFieldsCache & { saves: number; lastLoaded: number } {
  const inner = fileTagFieldsCache(file);
  const c = {
    saves: 0,
    lastLoaded: 0,
    loadListing: () => inner.loadListing(),
    saveListing: (l: KeptListing) => inner.saveListing(l),
    async load(): Promise<TagCacheContent | undefined> {
      const m = await inner.load();
      c.lastLoaded = m?.lines.length ?? 0;
      return m;
    },
    save(f: TagCacheContent): void {
      c.saves++;
      inner.save(f);
    },
  };
  return c;
}

void describe('tag cache: the same tags as git lists them', () => {
  const tmp = tempDir('tagcache');
  let repo: GitFixture;
  let file: string;

  before(() => {
    repo = new GitFixture(tmp.path);
    for (let i = 0; i < 6; i++) {
      repo.commit(`change ${i}`, { 'a.txt': String(i) });
      repo.tag(`v1.${i}.0`, { annotated: i % 2 === 0, message: `Release 1.${i}\n\nbody line` });
    }
    repo.tag('v-lightweight-too');
    repo.git('tag', '-a', '-m', 'a tag of a tag', 'v1.9.9-nested', 'v1.0.0');
    repo.tag('other-1');
    file = join(tmp.path, 'cache', 'tags.cache');
  });
  after(() => tmp.remove());

  const uncached = async (pattern = 'v*'): Promise<TagRef[]> => new SimpleGitPort(repo.dir).listTags(pattern);

  void it('lists exactly what an uncached port lists: first run (cache written), second run (all from the cache), and after changes', async () => {
    const cache = counted(file);
    const port = new SimpleGitPort(repo.dir, { tagCache: cache });
    assert.deepEqual(await port.listTags('v*'), await uncached());
    assert.equal(cache.saves, 1, 'the first run writes the cache');
    assert.deepEqual(await port.listTags('v*'), await uncached());
    assert.equal(cache.saves, 1, 'nothing new: not written again');
    assert.ok(cache.lastLoaded >= 7, `the cache held the tags (${cache.lastLoaded})`);

    // A new tag, a moved tag (same name, another commit), a deleted one, one re-annotated with a new message.
    repo.commit('change 6', { 'a.txt': '6' });
    repo.tag('v1.6.0', { annotated: true });
    repo.git('tag', '-f', 'v1.1.0', 'HEAD');
    repo.git('tag', '-d', 'v1.3.0');
    repo.git('tag', '-f', '-a', '-m', 'Re-released', 'v1.2.0', 'v1.2.0^{commit}');
    assert.deepEqual(await port.listTags('v*'), await uncached());
    assert.equal(cache.saves, 2);
    assert.deepEqual(await port.listTags('v*'), await uncached());
    assert.deepEqual(await port.listTags('other-*'), await uncached('other-*'), 'another pattern');
  });

  void it('never answers from the cache in a repository with replace refs (they change what an object reads as)', async () => {
    const port = new SimpleGitPort(repo.dir, { tagCache: fileTagFieldsCache(file) });
    await port.listTags('v*');
    const lightweight = repo.git('rev-parse', 'v-lightweight-too').trim();
    const replacement = repo.git('commit-tree', '-m', 'replaced subject', `${lightweight}^{tree}`).trim();
    repo.git('replace', lightweight, replacement);
    try {
      const listed = await port.listTags('v*');
      assert.deepEqual(listed, await uncached());
      assert.equal(listed.find((t) => t.name === 'v-lightweight-too')?.subject, 'replaced subject', 'git itself reads the replacement');
    } finally {
      repo.git('replace', '-d', lightweight);
    }
  });

  void it('a line that disagrees with its own object name, a damaged file, another format or garbage is not used', async () => {
    const port = new SimpleGitPort(repo.dir, { tagCache: fileTagFieldsCache(file) });
    await port.listTags('v*');
    const text = readFileSync(file, 'utf8');
    const [header, key, , ...lines] = text.split('\n');
    const sha = repo.git('rev-parse', 'v1.6.0').trim();
    // v1.6.0's line rewritten to claim another commit and subject for its tag object, with a checksum that fits:
    // the listing changes (a new tag), so the lines are taken by object name, and this one names another object.
    const forged = lines.map((l) => (l.startsWith('v1.6.0\0') ? `v1.6.0\x00tag\x00${'0'.repeat(40)}\x00commit\x00${'1'.repeat(40)}\x001\x00forged` : l));
    assert.ok(forged.some((l) => l.endsWith('forged')) && !lines.some((l) => l.endsWith('forged')), `v1.6.0 (${sha}) has a line`);
    const body = forged.join('\n');
    writeFileSync(file, `${header}\n${key}\n${createHash('sha256').update(body).digest('hex')}\n${body}`);
    repo.tag('v1.7.0');
    assert.deepEqual(await port.listTags('v*'), await uncached());
    // Damaged (the checksum no longer fits), another format, garbage: read in full.
    writeFileSync(file, readFileSync(file, 'utf8').replace('Release 1.4', 'Release 9.9'));
    assert.deepEqual(await port.listTags('v*'), await uncached());
    writeFileSync(file, text.replace(/^rollback-pilot tag fields v2/, 'rollback-pilot tag fields v1'));
    assert.deepEqual(await port.listTags('v*'), await uncached());
    writeFileSync(file, '\0\0\0garbage\n\n');
    assert.deepEqual(await port.listTags('v*'), await uncached());
  });

  void it('is kept per repository and format, and turned off by ROLLBACK_PILOT_TAG_CACHE=0', () => {
    const env = { XDG_CACHE_HOME: '/c' };
    const a = tagCachePath('/repo/a', TAG_FORMAT, env);
    assert.match(a ?? '', /^\/c\/rollback-pilot\/tags-[0-9a-f]{32}\.cache$/);
    assert.notEqual(a, tagCachePath('/repo/b', TAG_FORMAT, env));
    assert.notEqual(a, tagCachePath('/repo/a', `${TAG_FORMAT}%00%(tagger)`, env));
    assert.equal(tagCachePath('/repo/a', TAG_FORMAT, { ...env, ROLLBACK_PILOT_TAG_CACHE: '0' }), undefined);
  });
});
