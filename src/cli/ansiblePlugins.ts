import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Where the command line finds the Ansible plugins a fleet run needs (the callback that reports
 * every host × task, the filter the health checks use): beside its bundle, as the build and the
 * npm package put them (dist/ansible); else the media/ansible of the checkout the bundle was
 * built in (a development or test build elsewhere). Undefined: neither is there, and a fleet is
 * refused before planning, naming the folder looked in.
 */
export function ansiblePluginRoot(bundleDir: string): string | undefined {
  const shipped = join(bundleDir, 'ansible');
  if (hasPlugins(shipped)) return shipped;
  let at = bundleDir;
  for (let i = 0; i < 16; i++) {
    const checkout = join(at, 'media', 'ansible');
    if (hasPlugins(checkout)) return checkout;
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  return undefined;
}

function hasPlugins(root: string): boolean {
  return existsSync(join(root, 'callback_plugins', 'rollback_pilot.py')) && existsSync(join(root, 'filter_plugins', 'rollback_pilot.py'));
}
