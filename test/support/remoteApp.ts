// The fixture app cloned into a folder the SSH test user owns, so the "production host"
// (sshd on 127.0.0.1) has its own working tree, like a real deploy target.
import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_USER } from './sshd';

export function cloneForTestUser(sourceRepo: string, parent: string, name = 'srv-app'): string {
  chmodSync(parent, 0o755);
  const dir = join(parent, name);
  execFileSync('git', ['clone', '-q', sourceRepo, dir], { stdio: 'ignore' });
  execFileSync('git', ['-C', dir, 'config', 'user.name', 'Deploy Bot'], { stdio: 'ignore' });
  execFileSync('git', ['-C', dir, 'config', 'user.email', 'deploy@shop.example'], { stdio: 'ignore' });
  execFileSync('chown', ['-R', `${TEST_USER}:`, dir], { stdio: 'ignore' });
  return dir;
}

/** Builds and starts both services as the test user, the way the last deploy left them. */
export function deployAsTestUser(dir: string): void {
  execFileSync('runuser', ['-u', TEST_USER, '--', 'sh', '-c', 'sh scripts/build.sh api && sh scripts/deploy.sh api && sh scripts/build.sh worker && sh scripts/deploy.sh worker'], { cwd: dir, stdio: 'ignore' });
}
