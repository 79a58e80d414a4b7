// The rule families that find secrets by their shape, without knowing the value. Every rule
// is one regular expression whose match can only start where a lookbehind allows it (the
// start of a name, a scheme, a token), so a pass is linear in the text: this runs on every
// output chunk of a rollback. What the product knows to be secret by value is in redactor.ts.

/** The one marker every redacted value becomes, in every artifact. */
export const REDACTED = '‹redacted›';

export interface RedactionRule {
  /** The family, as the tests and the docs name it. */
  family: 'private-key' | 'webhook-url' | 'url-userinfo' | 'authorization' | 'bearer' | 'token' | 'assignment';
  apply(text: string): string;
}

function rule(family: RedactionRule['family'], re: RegExp, replace: (m: string, ...groups: string[]) => string): RedactionRule {
  return { family, apply: (text) => text.replace(re, replace as (m: string, ...rest: unknown[]) => string) };
}

// ---- PEM private key blocks ------------------------------------------------------------

const PEM_BEGIN = /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----/g;
const PEM_END = /-----END ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----/;
/** A line of a key's body (base64) or of its headers (Proc-Type:, DEK-Info:). */
const PEM_BODY_LINE = /^(?:[A-Za-z0-9+/=]*|[A-Za-z-]+: .*)\r?$/;

/**
 * A block from BEGIN to END keeps both lines and loses its body. A BEGIN without END (output
 * cut, or still streaming) loses everything after it; an END without BEGIN (a tail that starts
 * inside the key) loses the key lines before it. indexOf-based: linear even with many blocks.
 */
function redactPem(text: string): string {
  if (!text.includes('PRIVATE KEY')) return text;
  let out = '';
  let pos = 0;
  const firstBegin = text.search(PEM_BEGIN);
  const orphanEnd = PEM_END.exec(firstBegin < 0 ? text : text.slice(0, firstBegin));
  if (orphanEnd) {
    // Walk back over the lines that look like key material, up to the start of the text.
    const lines = text.slice(0, orphanEnd.index).split('\n');
    let keep = lines.length - 1; // the (empty or partial) part of the END line before the marker
    while (keep > 0 && PEM_BODY_LINE.test(lines[keep - 1])) keep--;
    const before = lines.slice(0, keep).join('\n');
    const keyLines = lines.slice(keep).join('\n');
    out = keyLines.trim() ? `${before}${keep > 0 ? '\n' : ''}${REDACTED}\n` : text.slice(0, orphanEnd.index);
    pos = orphanEnd.index;
  }
  PEM_BEGIN.lastIndex = pos;
  for (let m = PEM_BEGIN.exec(text); m; m = PEM_BEGIN.exec(text)) {
    const bodyStart = m.index + m[0].length;
    const endMarker = `-----END ${m[1]}-----`;
    const end = text.indexOf(endMarker, bodyStart);
    out += `${text.slice(pos, bodyStart)}\n${REDACTED}`;
    if (end < 0) return out;
    out += `\n${endMarker}`;
    pos = end + endMarker.length;
    PEM_BEGIN.lastIndex = pos;
  }
  return out + text.slice(pos);
}

// ---- the other families ----------------------------------------------------------------

/** Words in a variable, option or field name that make its value a secret. */
const SECRET_WORDS = 'PASSWORD|PASSWD|PASSPHRASE|PWD|TOKEN|SECRET|CREDENTIAL|KEY|AUTH|SIGNATURE';
/**
 * A name that carries one of the words, not followed by another letter (KEYBOARD, AUTHOR and
 * PASSWORDLESS are other words; APIKEY, PGPASSWORD, db_password, apiKey, TOKENS are secret).
 */
// Bounded on both sides: a match can then only cost a constant at each start, whatever the output.
const SECRET_NAME = `[A-Za-z0-9_.-]{0,64}?(?:${SECRET_WORDS})S?(?![A-Za-z])[A-Za-z0-9_.-]{0,64}`;
/** An assignment's value: quoted (escapes allowed in double quotes), or a run up to a delimiter of shell, URL queries, JSON or logs. */
const VALUE = `\\\\"(?:(?!\\\\")[^\\r\\n])+\\\\"|\\$\\{[^}\\s]*\\}|"(?:[^"\\\\\\r\\n]|\\\\.)+"|'[^'\\r\\n]+'|[^\\s"'\`,;&|<>(){}\\[\\]]+`;
/** Shell variables that hold directories, not passwords. */
const DIRECTORY_VARIABLES = new Set(['PWD', 'OLDPWD']);

/** Values that are not secrets themselves: a reference to a variable, a mask, the marker. */
function isPlaceholder(value: string): boolean {
  const v = /^(["'])(.*)\1$/.exec(value)?.[2] ?? value;
  return /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(v) || /^\*+$/.test(v) || v === REDACTED;
}

function redactValue(value: string): string {
  if (isPlaceholder(value)) return value;
  const q = value.startsWith('\\"') ? '\\"' : value[0];
  return q === '"' || q === "'" || q === '\\"' ? `${q}${REDACTED}${q}` : REDACTED;
}

const AUTHORIZATION = /(?<![\w-])((?:Proxy-)?Authorization["']?[ \t]*[:=][ \t]*["']?)((?:Basic|Bearer|Token|Digest|Negotiate|NTLM|ApiKey|AWS4-HMAC-SHA256)[ \t]+)?/gi;

/**
 * The header's credentials go to the end of the line; when the header itself is quoted
 * (`curl -H "Authorization: …" url`), to the closing quote, and the scan goes on after it (a
 * second header on the same line is found too). The scheme word stays. One pass: linear.
 */
function redactAuthorization(text: string): string {
  if (!/authorization/i.test(text)) return text;
  let out = '';
  let pos = 0;
  // The next line end and the next quote of each kind, each searched once per stretch of text.
  const next: Record<string, number> = { '\n': -2, '\r': -2, '"': -2, "'": -2 };
  const find = (c: string, from: number): number => {
    if (next[c] !== -1 && next[c] < from) next[c] = text.indexOf(c, from);
    return next[c] < 0 ? text.length : next[c];
  };
  AUTHORIZATION.lastIndex = 0;
  for (let m = AUTHORIZATION.exec(text); m; m = AUTHORIZATION.exec(text)) {
    const start = m.index + m[0].length;
    const quote = text[m.index - 1];
    const lineEnd = Math.min(find('\n', start), find('\r', start));
    const close = quote === '"' || quote === "'" ? find(quote, start) : text.length;
    const end = Math.min(close, lineEnd);
    const secret = text.slice(start, end).trim();
    out += text.slice(pos, start) + (secret && secret !== REDACTED ? REDACTED : text.slice(start, end));
    pos = end;
    AUTHORIZATION.lastIndex = Math.max(end, start + 1);
  }
  return out + text.slice(pos);
}

const SCHEME_CHAR = /[A-Za-z0-9+.-]/;
const USER_STOP = /[\s/?#@:'"]/;
const PASS_STOP = /[\s/?#'"]/;

/**
 * scheme://user:password@host keeps the user and the host; the password ends at the last @
 * before the path. A scan from each "://" (a regular expression anchored on the scheme tried
 * every word of a build log and ran at 8 MiB/s); each stretch of text is looked at once.
 */
function redactUserinfo(text: string): string {
  let i = text.indexOf('://');
  if (i < 0) return text;
  let out = '';
  let pos = 0;
  while (i >= 0) {
    let next = i + 3;
    let s = i;
    while (s > 0 && i - s < 31 && SCHEME_CHAR.test(text[s - 1])) s--;
    const schemeOk = s < i && /[A-Za-z]/.test(text[s]) && (s === 0 || !SCHEME_CHAR.test(text[s - 1]));
    if (schemeOk) {
      let j = i + 3;
      while (j < text.length && !USER_STOP.test(text[j])) j++;
      if (text[j] === ':') {
        let e = j + 1;
        let at = -1;
        for (; e < text.length && !PASS_STOP.test(text[e]); e++) if (text[e] === '@') at = e;
        const pass = at > j + 1 ? text.slice(j + 1, at) : '';
        if (pass && pass !== REDACTED) {
          out += `${text.slice(pos, j + 1)}${REDACTED}`;
          pos = at;
        }
        // Any "://" before e shares this stretch: with no @ in it, none of them has a password either.
        next = at < 0 ? Math.max(next, e) : Math.max(next, at + 1);
      }
    }
    i = text.indexOf('://', next);
  }
  return out + text.slice(pos);
}

const NAME_AND_SEPARATOR = /(?<![A-Za-z0-9_.$/-])((?:\\)?["']?)([A-Za-z0-9_.-]{1,140})\1([ \t]*[:=][ \t]*)/g;
const IS_SECRET_NAME = new RegExp(`^${SECRET_NAME}$`, 'i');
const VALUE_AT = new RegExp(VALUE, 'y');

/**
 * Assignments to secret-named variables. Every `name=` / `name:` is found in one pass and its
 * name tested on its own; only a secret one has its value read (and replaced). A value that
 * is itself an assignment (`X=TOKEN=abc`) is looked at too: the scan goes on after the `=`.
 */
function redactAssignments(text: string): string {
  if (!/[:=]/.test(text)) return text;
  let out = '';
  let pos = 0;
  NAME_AND_SEPARATOR.lastIndex = 0;
  for (let m = NAME_AND_SEPARATOR.exec(text); m; m = NAME_AND_SEPARATOR.exec(text)) {
    const name = m[2];
    if (!IS_SECRET_NAME.test(name) || DIRECTORY_VARIABLES.has(name)) continue;
    const start = m.index + m[0].length;
    VALUE_AT.lastIndex = start;
    const v = VALUE_AT.exec(text);
    if (!v) continue;
    out += text.slice(pos, start) + redactValue(v[0]);
    pos = start + v[0].length;
    NAME_AND_SEPARATOR.lastIndex = pos;
  }
  return out + text.slice(pos);
}

export const RULES: readonly RedactionRule[] = [
  { family: 'private-key', apply: redactPem },
  rule('webhook-url', /(?<![\w.-])(https?:\/\/hooks\.slack\.com\/)(?:services|workflows|triggers)\/[A-Za-z0-9/_-]+/g, (_m, base) => `${base}${REDACTED}`),
  rule('webhook-url', /(?<![\w.-])(https?:\/\/(?:(?:ptb|canary)\.)?discord(?:app)?\.com\/api\/webhooks\/)[0-9]+\/[A-Za-z0-9_-]+/g, (_m, base) => `${base}${REDACTED}`),
  // scheme://user:password@host; the password ends at the last @ before the path.
  { family: 'url-userinfo', apply: redactUserinfo },
  { family: 'authorization', apply: redactAuthorization },
  rule('bearer', /(?<![\w-])(Bearer|BEARER|bearer)([ \t]+)([A-Za-z0-9._~+/-]{8,}=*)/g, (_m, word, space) => `${word}${space}${REDACTED}`),
  rule('token', /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|npm_[A-Za-z0-9]{36,})/g, () => REDACTED),
  rule('token', /(?<![A-Za-z0-9])(?:xox[abprs]|xapp)-[A-Za-z0-9-]{10,}/g, () => REDACTED),
  rule('token', /(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}(?![A-Z0-9])/g, () => REDACTED),
  rule('token', /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, () => REDACTED),
  rule('token', /(?<![A-Za-z0-9_-])(?:sk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|AIza[0-9A-Za-z_-]{35})/g, () => REDACTED),
  // The AWS secret access key is 40 characters of base64 after its name, with or without quotes.
  rule('token', /(?<![A-Za-z0-9_])((?:aws_?)?secret_?access_?key["']?[ \t]*[:=][ \t]*["']?)[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])/gi, (_m, head) => `${head}${REDACTED}`),
  // NAME=value, NAME: value, "name": "value", --name=value, export NAME='value'
  { family: 'assignment', apply: redactAssignments },
  // --password value (the long options whose value cannot be anything else; -p is too ambiguous)
  rule('assignment', /(?<![\w-])(--(?!no-)[A-Za-z0-9-]{0,64}?(?:password|passwd|passphrase|token|secret)s?(?![A-Za-z])[A-Za-z0-9-]{0,64})([ \t]+)((?!-)[^\s"'`;&|<>()]+|"(?:[^"\\\r\n]|\\.)+"|'[^'\r\n]+')/gi, (_m, name, space, value) =>
    `${name}${space}${redactValue(value)}`,
  ),
];

/** Every rule family over the text, in order; the same text comes back when nothing matched. */
export function redactPatterns(text: string): string {
  let out = text;
  for (const r of RULES) out = r.apply(out);
  return out;
}
