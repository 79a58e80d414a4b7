import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EnvironmentConfig } from '../../../src/core/config/types';
import { databaseEnvironment } from '../../../src/app/appliedStateReader';

const env = (name: string, host: string): EnvironmentConfig => ({ name, host, path: '/opt/app', branch: 'main', strategy: 'revert', push: false, configFiles: [], commandTimeoutMs: 60_000 }) as EnvironmentConfig;

describe('which database the Migrations view reads', () => {
  it('the only environment, when there is one', () => {
    assert.equal(databaseEnvironment([env('production', 'deploy@prod-1')], undefined).env?.name, 'production');
  });
  it('with several and no choice: none, and it says how to choose (never the first, which is often local)', () => {
    const r = databaseEnvironment([env('local', 'local'), env('production', 'deploy@prod-1')], undefined);
    assert.equal(r.env, undefined);
    assert.match(r.why ?? '', /choose which environment's database to read \(local, production\)/);
  });
  it('the chosen one', () => {
    assert.equal(databaseEnvironment([env('local', 'local'), env('production', 'deploy@prod-1')], 'production').env?.host, 'deploy@prod-1');
  });
  it('a choice that is no longer in rollback.yml is named, not silently replaced', () => {
    const r = databaseEnvironment([env('local', 'local'), env('staging', 'deploy@stg')], 'production');
    assert.equal(r.env, undefined);
    assert.match(r.why ?? '', /"production" chosen for the Migrations view is no longer in rollback\.yml/);
  });
});
