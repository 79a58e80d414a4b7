// The integration suite's groups: each names a folder of test/integration/suite and
// makes the fixture workspace it runs on (fresh each time), with what to stop afterwards.
// Shared by the code-server launcher and the @vscode/test-electron one.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, readdirSync as listDir, readFileSync as readText } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './codeServer.mjs';
import { makeIntegrationWorkspace } from './fixtureWorkspace.mjs';
import { makeAppRepo, deployCurrent, stopApp } from '../fixtures/appRepo.ts';
import { PG_BIN, startPostgres } from '../support/postgres.ts';
import { startSshd } from '../support/sshd.ts';
import { cloneForTestUser, deployAsTestUser } from '../support/remoteApp.ts';
import { fleetRollbackYml, fleetSshConfig, startFleet } from '../support/fleet.ts';

/** Each group: its fixture workspace (created fresh) and what to stop afterwards. */
export const GROUPS = {
  views: async (dir) => ({ folder: makeIntegrationWorkspace(dir), env: {}, cleanup: () => {} }),
  rollback: async (dir) => {
    const [apiPort, workerPort] = [await freePort(), await freePort()];
    await makeAppRepo(dir, { apiPort, workerPort });
    deployCurrent(dir);
    return {
      folder: dir,
      env: { ROLLBACK_PILOT_API_PORT: String(apiPort), ROLLBACK_PILOT_WORKER_PORT: String(workerPort) },
      cleanup: () => stopApp(dir),
    };
  },
  // A repository with one commit, no tags, no migrations and no rollback.yml: the welcome path.
  empty: async (dir) => {
    mkdirSync(join(dir, 'apps/web'), { recursive: true });
    writeFileSync(join(dir, 'apps/web/index.js'), 'console.log("hello");\n');
    const git = (...a) => spawnSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...a], { cwd: dir });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'Initial');
    return { folder: dir, env: {}, cleanup: () => {} };
  },
  // The shop deployed on a "production host": a real sshd on 127.0.0.1 with a key-only
  // user who owns its own clone. The workspace is the operator's checkout; rollback.yml
  // (edited, not committed) points at the host through an ssh config alias, and the
  // known_hosts file starts empty so the first connection asks about the host key.
  // A real PostgreSQL too, with migrations 1-3 applied, which the Migrations view reads through the host.
  ssh: async (dir) => {
    const sshd = await startSshd();
    let pg;
    try {
      pg = await startPostgres();
      await pg.createDatabase('shop');
      await pg.psql('CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (3, false);', 'shop');
      const [apiPort, workerPort] = [await freePort(), await freePort()];
      await makeAppRepo(join(dir, 'workspace'), { apiPort, workerPort });
      const remote = cloneForTestUser(join(dir, 'workspace'), dir);
      deployAsTestUser(remote);
      const sshConfig = join(dir, 'ssh_config');
      writeFileSync(sshConfig, `Host shop-prod\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n  IdentityFile ${sshd.keyPath}\n`);
      const knownHosts = join(dir, 'known_hosts');
      writeFileSync(knownHosts, '');
      const yml = join(dir, 'workspace', 'rollback.yml');
      writeFileSync(yml, readText(yml, 'utf8').replace('host: local', 'host: shop-prod').replace('path: .', `path: ${remote}`));
      return {
        folder: join(dir, 'workspace'),
        env: {
          ROLLBACK_PILOT_API_PORT: String(apiPort),
          ROLLBACK_PILOT_REMOTE: remote,
          ROLLBACK_PILOT_HOSTKEY_FPS: JSON.stringify(Object.values(sshd.fingerprints)),
          ROLLBACK_PILOT_KNOWN_HOSTS: knownHosts,
          ROLLBACK_PILOT_KNOWN_HOSTS_FULL: sshd.knownHostsPath,
          ROLLBACK_PILOT_PG_PORT: String(pg.port),
          SSH_AUTH_SOCK: '',
        },
        settings: { 'rollbackPilot.ssh.configFile': sshConfig, 'rollbackPilot.ssh.knownHostsFile': knownHosts },
        cleanup: async () => {
          stopApp(remote);
          await sshd.stop();
          await pg.stop();
        },
      };
    } catch (e) {
      await sshd.stop();
      await pg?.stop();
      throw e;
    }
  },
  // The shop on a fleet (issue 15): four real sshd hosts on 127.0.0.11-14, each with its own
  // user, clone and services on ports of its own, v1.4.0 (bad) deployed on all; rollback.yml
  // (edited, not committed) makes `production` of them, rolled in batches [1, "50%", "100%"]
  // through the real ansible-playbook. known_hosts holds every host's keys; the ssh config
  // gives every host the fleet's client key.
  fleet: async (dir) => {
    const workspace = join(dir, 'workspace');
    await makeAppRepo(workspace, { apiPort: 1, workerPort: 2 });
    const fleet = await startFleet({ count: 4, sourceRepo: workspace });
    try {
      const yml = join(workspace, 'rollback.yml');
      writeFileSync(yml, fleetRollbackYml(readText(yml, 'utf8'), fleet, { healthTimeout: '4s' }));
      const sshConfig = join(dir, 'ssh_config');
      writeFileSync(sshConfig, fleetSshConfig(fleet));
      return {
        folder: workspace,
        env: {
          ROLLBACK_PILOT_FLEET: JSON.stringify(fleet.hosts.map((h) => ({ index: h.index, user: h.user, path: h.path, apiPort: h.apiPort, workerPort: h.workerPort }))),
          SSH_AUTH_SOCK: '',
        },
        settings: { 'rollbackPilot.ssh.configFile': sshConfig, 'rollbackPilot.ssh.knownHostsFile': fleet.knownHostsPath },
        cleanup: () => fleet.stop(),
      };
    } catch (e) {
      await fleet.stop();
      throw e;
    }
  },
  // The shop with a real PostgreSQL: every migration up to the bad release applied, as
  // golang-migrate would have left it (schema_migrations at version 5, not dirty).
  database: (dir) => databaseShop(dir),
  // The same, where the api (a writer) has a stop command: the backup restore, run for real.
  'database-restore': (dir) => databaseShop(dir, { apiStop: 'kill "$(cat run/api.pid)" && rm -f run/api.pid' }),
};

/**
 * The shop on a real PostgreSQL at the bad release (schema_migrations 5), with three orders
 * from before the deploy and two written since, and a real pg_dump taken before the deploy.
 */
async function databaseShop(dir, { apiStop } = {}) {
  const pg = await startPostgres();
  try {
    await pg.createDatabase('shop');
    const [apiPort, workerPort] = [await freePort(), await freePort()];
    const psql = pg.psqlCommand('shop');
    const backups = `${dir}-backups`;
    mkdirSync(backups, { recursive: true });
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const dumpFile = join(backups, `shop-${stamp}.dump`);
    const conn = ['-h', pg.host, '-p', String(pg.port), '-U', 'postgres'];
    await makeAppRepo(dir, {
      apiPort,
      workerPort,
      sqlCommand: psql,
      backupList: `ls -1 ${backups}`,
      backupRestore: `${join(PG_BIN, 'pg_restore')} ${conn.join(' ')} --clean --if-exists -d shop ${dumpFile}`,
      apiStop,
    });
    // v1.3.0's database (migrations 1-4), backed up before the bad deploy by a real pg_dump named the way
    // backup jobs name them; then the bad release's migration 5.
    const migrations = join(dir, 'db/migrations');
    const ups = listDir(migrations).filter((n) => n.endsWith('.up.sql')).sort();
    for (const f of ups.slice(0, 4)) await pg.psql(readText(join(migrations, f), 'utf8'), 'shop');
    await pg.psql('CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (4, false);', 'shop');
    await pg.psql("INSERT INTO orders (customer, total_cents, region) VALUES ('ada', 100, 'eu'), ('bo', 200, 'us'), ('cy', 300, 'eu');", 'shop');
    const dump = spawnSync(join(PG_BIN, 'pg_dump'), [...conn, '-Fc', '-f', dumpFile, 'shop'], { encoding: 'utf8' });
    if (dump.status !== 0) throw new Error(`pg_dump for the fixture's backup failed: ${dump.stderr}`);
    for (const f of ups.slice(4)) await pg.psql(readText(join(migrations, f), 'utf8'), 'shop');
    await pg.psql('UPDATE schema_migrations SET version = 5;', 'shop');
    await pg.psql("INSERT INTO orders (customer, total_cents, region) VALUES ('dee', 1, 'eu'), ('eve', 2, 'us');", 'shop');
    deployCurrent(dir);
    return {
      folder: dir,
      env: { ROLLBACK_PILOT_API_PORT: String(apiPort), ROLLBACK_PILOT_PSQL: psql },
      cleanup: async () => {
        stopApp(dir);
        rmSync(backups, { recursive: true, force: true });
        await pg.stop();
      },
    };
  } catch (e) {
    await pg.stop();
    throw e;
  }
}
