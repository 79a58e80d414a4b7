import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployCurrent, makeAppRepo, stopApp } from '../../fixtures/appRepo';
import { freePort, tempDir } from '../engine/helpers';

export interface AppFixture {
  /** The operator's checkout (the workspace the flow plans from). */
  workspace: string;
  /** The deployed checkout the environment `local` points at (the workspace itself, or a clone beside it). */
  target: string;
  apiPort: number;
  cleanup(): void;
}

/**
 * The fixture shop with v1.4.0 (bad) deployed and running. `separateTarget` deploys a clone and
 * points the environment at it (absolute path), so the workspace's own files never move;
 * `downSteps` gives the migrations a down command and a backup list, so the plan has one
 * destructive step (the down migration of v1.4.0), which writes to run/db.log on the target.
 */
export async function appFixture(options: { separateTarget?: boolean; downSteps?: boolean } = {}): Promise<AppFixture> {
  const tmp = tempDir('app');
  const apiPort = await freePort();
  const workerPort = await freePort();
  const repo = await makeAppRepo(join(tmp.dir, 'workspace'), { apiPort, workerPort });
  let target = repo.dir;
  if (options.separateTarget) {
    target = join(tmp.dir, 'target');
    execFileSync('git', ['clone', '-q', repo.dir, target]);
    const yml = join(repo.dir, 'rollback.yml');
    let text = readFileSync(yml, 'utf8').replace('    path: .\n', `    path: ${target}\n`);
    if (options.downSteps) text = text.replace('  dir: db/migrations\n', '  dir: db/migrations\n  down: "echo down {id} to {previous} >> run/db.log"\n  backup: { list: "echo app-$(date -u +%Y%m%d-%H%M%S).dump", maxAge: 1h }\n  status: "echo 4"\n');
    writeFileSync(yml, text);
    execFileSync('git', ['-c', 'user.name=Dana', '-c', 'user.email=dana@shop.example', 'commit', '-qam', 'rollback.yml: the deployed clone'], { cwd: repo.dir });
  }
  deployCurrent(target);
  return {
    workspace: repo.dir,
    target,
    apiPort,
    cleanup: () => {
      stopApp(target);
      tmp.cleanup();
    },
  };
}
