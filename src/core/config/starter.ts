// Writes the commented rollback.yml offered by the welcome view. The text must parse with no
// diagnostics whatever the repository looks like, so every detected value is checked with the
// same rules as the parser and left as a comment when it would not pass.
import type { MigrationTool } from './types';
import { globProblem, repoPathProblem, tagPatternProblem } from './values';

export interface StarterInput {
  repoName: string;
  tagPattern?: string;
  detectedMigrations?: { tool: string; dir: string }[];
  serviceDirs?: string[];
}

const TOOLS: readonly MigrationTool[] = ['alembic', 'prisma', 'knex', 'node-pg-migrate', 'golang-migrate', 'goose', 'sql'];

// One down step and its SQL preview per tool, as each tool spells it.
const DOWN_HINTS: Partial<Record<MigrationTool, { down: string; preview?: string }>> = {
  // Explicit targets: run again on resume they change nothing, where "-1" would undo one more.
  alembic: { down: 'alembic downgrade {previous}', preview: 'alembic downgrade {id}:{previous} --sql' },
  knex: { down: 'npx knex migrate:down' },
  'node-pg-migrate': { down: 'npx node-pg-migrate down 1' },
  'golang-migrate': { down: 'migrate -path {dir} -database "$DATABASE_URL" down 1' },
  goose: { down: 'goose -dir {dir} postgres "$DATABASE_URL" down' },
};

export function starterConfig(input: StarterInput): string {
  const tagPattern = input.tagPattern && !tagPatternProblem(input.tagPattern) ? input.tagPattern : 'v*';
  const lines: string[] = [
    `# Rollback Pilot configuration for ${oneLine(input.repoName)}.`,
    '# Hover a key to read what it does; the editor completes keys from the schema.',
    '# Durations: 500ms, 30s, 5m, 1h, 1m30s.',
    '',
    'releases:',
    '  # Git tags that are releases. SemVer tags sort by version, others by date.',
    `  tags: ${JSON.stringify(tagPattern)}`,
    '',
    'environments:',
    '  # "local" runs the rollback in this checkout.',
    '  local:',
    '    host: local',
    '    path: .',
    '    branch: main',
    '    strategy: revert        # revert | checkout | tag | image',
    '  # A server over SSH (keys and aliases come from your ~/.ssh setup):',
    '  # production:',
    '  #   host: deploy@prod-1',
    '  #   path: /opt/app',
    '  #   branch: main',
    '  #   strategy: revert',
    '  #   snapshot: /tmp/pre-deploy-sha.txt   # pre-deploy SHA, written by "Record Pre-deploy Snapshot"',
    '  #   push: false',
    '  #   configFiles: [.env]',
    '  #   commandTimeout: 10m',
    '  #   fullRedeploy: docker compose up -d --build --force-recreate   # offered when a service keeps failing',
    '',
    ...servicesSection(input.serviceDirs ?? []),
    '',
    ...migrationsSection(input.detectedMigrations ?? []),
    '',
    '# notify:',
    '#   webhook: true           # the URL is kept in VS Code secret storage, never in this file',
    '#   escalateAt: [5m, 15m]',
    '',
  ];
  return lines.join('\n');
}

function servicesSection(dirs: string[]): string[] {
  const used = new Set<string>();
  const services: string[] = [];
  for (const dir of dirs) {
    const clean = dir.replace(/\\/g, '/').replace(/\/+$/, '');
    const glob = `${clean}/**`;
    if (clean === '' || /[*?[\]{}]/.test(clean) || globProblem(glob)) continue;
    const name = uniqueName(serviceName(clean), used);
    services.push(
      `  ${name}:`,
      `    # build: docker compose build ${name}`,
      `    # deploy: docker compose up -d --force-recreate ${name}`,
      '    # health: { url: http://localhost:3000/health, expect: 200, warmup: 0s, timeout: 30s }',
      `    paths: [${JSON.stringify(glob)}]    # redeployed only when these files change`,
    );
  }
  const header = ['# Services rebuilt, redeployed and health-checked after the code goes back.'];
  if (services.length === 0) {
    return [
      ...header,
      'services: {}',
      '# services:',
      '#   api:',
      '#     build: docker compose build api',
      '#     deploy: docker compose up -d --force-recreate api',
      '#     health: { url: http://localhost:3000/health, expect: 200, timeout: 30s }',
      '#     paths: ["apps/api/**"]',
    ];
  }
  return [...header, 'services:', ...services];
}

function migrationsSection(detected: { tool: string; dir: string }[]): string[] {
  const usable = detected.filter((m): m is { tool: MigrationTool; dir: string } => TOOLS.includes(m.tool as MigrationTool) && !repoPathProblem(m.dir));
  const first = usable[0];
  const header = '# Database migrations. Without this section they are detected from the usual folders.';
  if (!first) {
    return [header, '# migrations:', '#   tool: alembic           # ' + TOOLS.join(' | '), '#   dir: alembic/versions', '#   down: alembic downgrade {previous}', '#   preview: alembic downgrade {id}:{previous} --sql', '#   sql: docker exec -i db psql -U app -d app'];
  }
  const hint = DOWN_HINTS[first.tool];
  const out = [header, 'migrations:', `  tool: ${first.tool}`, `  dir: ${JSON.stringify(first.dir)}`];
  if (hint) {
    out.push(`  # down: ${hint.down.replace('{dir}', first.dir)}    # exactly one step`);
    if (hint.preview) out.push(`  # preview: ${hint.preview}`);
  }
  out.push('  # sql: docker exec -i db psql -U app -d app   # runs mitigation SQL read from stdin');
  out.push('  # backup: { create: "...", restore: "...", list: "...", maxAge: 24h }');
  for (const other of detected.filter((m) => m !== first)) {
    out.push(`  # also found: ${oneLine(other.tool)} in ${oneLine(other.dir)}`);
  }
  return out;
}

function serviceName(dir: string): string {
  const base = dir.split('/').filter(Boolean).pop() ?? '';
  const name = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z]+/, '').slice(0, 56);
  return name === '' ? 'service' : name;
}

function uniqueName(name: string, used: Set<string>): string {
  let candidate = name;
  for (let i = 2; used.has(candidate); i++) candidate = `${name}-${i}`;
  used.add(candidate);
  return candidate;
}

// Values that end up in a comment must not start a new line of YAML.
function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
}
