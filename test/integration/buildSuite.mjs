// Compiles the Mocha suite (TypeScript) to out/integration/*.js, one file per test,
// with `vscode` and node_modules left external so they resolve in the extension host.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './codeServer.mjs';

export async function buildSuite() {
  const src = join(repoRoot, 'test/integration/suite');
  const out = join(repoRoot, 'out/integration');
  rmSync(out, { recursive: true, force: true });
  const entries = readdirSync(src, { recursive: true }).map(String).filter((f) => f.endsWith('.ts')).map((f) => join(src, f));
  await esbuild.build({
    entryPoints: entries,
    outdir: out,
    outbase: src,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    packages: 'external',
    external: ['vscode'],
    logLevel: 'warning',
  });
  return join(out, 'index.js');
}
