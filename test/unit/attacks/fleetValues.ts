// Hostile values for the fleet attacks: what Ansible reads in a task besides the shell (Jinja,
// the shell module's free-form key=value words), what YAML reads (newlines, ': ', ' #',
// anchors, tags, quotes), and the shell's own syntax. Every one tries to create a file whose
// name starts with MARK in the markers folder.
import fc from 'fast-check';

export const MARK = 'PWNED';

export function HOSTILE_FLEET_VALUES(markers: string, evil: string): string[] {
  const touch = (n: string) => `${markers}/${MARK}-${n}`;
  return [
    // shQuote leaves these bare: the free form of ansible.builtin.shell would read them as options.
    'creates=/etc',
    'removes=/nonexistent-rollback-pilot',
    `executable=${evil}`,
    'chdir=/',
    'warn=false',
    'stdin=x',
    `{{ lookup('pipe','touch ${touch('jinja')}') }}`,
    `{% if lookup('pipe','touch ${touch('jinja-stmt')}') %}{% endif %}`,
    `{{ lookup("env","HOME") }}`,
    '{# comment #}',
    `\n- name: injected\n  ansible.builtin.shell: touch ${touch('yaml')}\n`,
    `a: b #c`,
    '&anchor *alias !!python/object:os.system',
    `"; touch ${touch('dq')}; "`,
    `'; touch ${touch('sq')}; '`,
    `$(touch ${touch('sh')})`,
    `\`touch ${touch('bt')}\``,
    '\\',
    'é ü 中',
  ];
}

const FRAGMENTS = [
  '{{', '}}', '{%', '%}', '{#', '#}', "lookup('pipe','touch PWNED')", 'creates=/etc', 'executable=/bin/true', 'chdir=/', 'removes=/x', '\n', '\r\n', ': ', ' #', '- ', '&a', '*a', '!unsafe', '!!str', '"', "'", '\\', '$(touch PWNED)', '`touch PWNED`', ';', '|', '>', '{', '}', '[', ']', ',', '?', '%', '@', ' ', '\t', 'x', 'v1.4.0', 'é',
];

/** Strings dense in Jinja, YAML and shell syntax (no NUL). */
export const fleetHostile = fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 6 }).map((p) => p.join(''));
