// Every contributed command is registered (has an id in src/vscode/contributions.ts that some
// file passes to the command registry, or still to registerCommand) and every id there is contributed, with category
// "Rollback". Menus only name contributed commands.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const idsSrc = readFileSync('src/vscode/contributions.ts', 'utf8');
const block = /export const CommandId = \{([\s\S]*?)\} as const/.exec(idsSrc)?.[1] ?? '';
const ids = new Map([...block.matchAll(/(\w+):\s*'([^']+)'/g)].map((m) => [m[1], m[2]]));

function files(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}
const sources = files('src').map((f) => readFileSync(f, 'utf8')).join('\n');
const problems = [];
const contributed = new Map((pkg.contributes?.commands ?? []).map((c) => [c.command, c]));
for (const [key, id] of ids) {
  if (!contributed.has(id)) problems.push(`${id} (CommandId.${key}) is not in package.json contributes.commands`);
  const registered = new RegExp(`(registerCommand|registry\\.register|\\bregister)\\(\\s*CommandId\\.${key}\\b`).test(sources);
  if (!registered) problems.push(`${id} (CommandId.${key}) is never passed to registerCommand`);
}
const idValues = new Set(ids.values());
for (const [id, c] of contributed) {
  if (!idValues.has(id)) problems.push(`${id} is contributed but has no CommandId`);
  if (c.category !== 'Rollback') problems.push(`${id} has category ${JSON.stringify(c.category)}, expected "Rollback"`);
}
for (const [menu, entries] of Object.entries(pkg.contributes?.menus ?? {})) {
  for (const e of entries) if (e.command && !contributed.has(e.command)) problems.push(`menu ${menu} names ${e.command}, which is not contributed`);
}
if (problems.length) {
  for (const p of problems) console.error(`contributions: ${p}`);
  process.exit(1);
}
console.log(`contributions: ${ids.size} commands contributed and registered`);
