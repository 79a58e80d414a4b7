import { MIN_SECRET_LENGTH } from './redactor';

/**
 * Which of an environment's `configFiles` are `.env`-style (KEY=VALUE lines): `.env`,
 * `.env.production`, `settings.env`, `config/app.env`. A Caddyfile or a YAML file is not
 * read: its values are not one per line, and its hostnames and paths are not secrets.
 */
export function isEnvStyleFile(path: string): boolean {
  const base = path.split(/[\\/]/).pop() ?? '';
  return base === '.env' || base.startsWith('.env.') || base.endsWith('.env');
}

/** A name that says its value is secret (the assignment family's words). */
const SECRET_NAME = /(?:PASSWORD|PASSWD|PASSPHRASE|PWD|TOKEN|SECRET|CREDENTIAL|KEY|AUTH|SIGNATURE)S?(?![A-Za-z])/i;

/** Whether a variable's name says its value is secret (DB_PASSWORD, ansible_become_pass, api_token). */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) || /(?:^|[_.-])pass$/i.test(name);
}

/**
 * Values that are configuration, not secrets, whatever the file: registering them would
 * blank out ordinary words of every output ("production", "info", a port).
 * - booleans and empty words: true/false/yes/no/on/off/null/none;
 * - numbers of fewer than 6 digits (ports, sizes, timeouts; a 6-digit PIN stays secret);
 * - a reference to another variable (${DB_PASSWORD}): the value it names is registered itself;
 * - under a name that does not say secret: a single lowercase word (production, debug,
 *   postgres) and an absolute or relative path of plain characters (/var/lib/app).
 * Everything else of at least MIN_SECRET_LENGTH characters is registered: a hostname with
 * digits, a URL, a random string. Redacting too much costs readability; too little, a leak.
 */
export function isPlainConfigValue(name: string, value: string): boolean {
  if (value.length < MIN_SECRET_LENGTH) return true;
  if (/^(?:true|false|yes|no|on|off|null|none|nil|undefined)$/i.test(value)) return true;
  if (/^\d{1,5}$/.test(value)) return true;
  if (/^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(value)) return true; // a reference to another variable
  if (SECRET_NAME.test(name)) return false;
  if (/^[a-z]+(?:[-_][a-z]+)*$/.test(value)) return true;
  return /^(?:\.{0,2}\/)[A-Za-z0-9_./-]*$/.test(value);
}

/** One KEY=VALUE line of a dotenv file: `export` allowed, quotes removed, ` #` comments of unquoted values dropped. */
function parseLine(line: string): { name: string; value: string } | undefined {
  const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*?)\s*$/.exec(line);
  if (!m) return undefined;
  const [, name, raw] = m;
  const quoted = /^(["'`])(.*)\1$/.exec(raw);
  if (quoted) return { name, value: quoted[1] === '"' ? quoted[2].replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1') : quoted[2] };
  return { name, value: raw.replace(/\s+#.*$/, '') };
}

/** The secret values of a `.env` file's text (see isPlainConfigValue for what is left out). */
export function secretValuesOfEnvFile(text: string): string[] {
  const values: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*(?:#|$)/.test(line)) continue;
    const kv = parseLine(line);
    if (kv && !isPlainConfigValue(kv.name, kv.value)) values.push(kv.value);
  }
  return values;
}
