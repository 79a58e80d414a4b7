// The extension's settings, typed, with their defaults in one place (package.json declares
// the same defaults for the Settings editor; a unit test keeps the two equal). Read through
// readSettings() only, so no call site repeats a key or a default.

export const SETTINGS_SECTION = 'rollbackPilot';

export const SettingKey = {
  recordsFile: 'recordsFile',
  knownHostsFile: 'ssh.knownHostsFile',
  sshConfigFile: 'ssh.configFile',
  connectTimeoutSeconds: 'ssh.connectTimeoutSeconds',
} as const;

export const SETTING_DEFAULTS = {
  [SettingKey.recordsFile]: '.rollback/records.json',
  [SettingKey.knownHostsFile]: '',
  [SettingKey.sshConfigFile]: '',
  [SettingKey.connectTimeoutSeconds]: 20,
} as const;

export interface RollbackPilotSettings {
  /** Relative to the workspace root. */
  recordsFile: string;
  /** Undefined: ~/.ssh/known_hosts. */
  knownHostsFile?: string;
  /** Undefined: ~/.ssh/config. */
  sshConfigFile?: string;
  connectTimeoutMs: number;
}

/** `get` is the section's WorkspaceConfiguration.get (or a stand-in); a wrong type or an empty string falls back to the default. */
export function readSettings(get: (key: string) => unknown): RollbackPilotSettings {
  const text = (key: keyof typeof SETTING_DEFAULTS): string => {
    const v = get(key);
    return typeof v === 'string' && v.trim() ? v.trim() : String(SETTING_DEFAULTS[key]);
  };
  const seconds = get(SettingKey.connectTimeoutSeconds);
  const timeout = typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 1 && seconds <= 300 ? seconds : SETTING_DEFAULTS[SettingKey.connectTimeoutSeconds];
  return {
    recordsFile: text(SettingKey.recordsFile),
    ...(text(SettingKey.knownHostsFile) ? { knownHostsFile: text(SettingKey.knownHostsFile) } : {}),
    ...(text(SettingKey.sshConfigFile) ? { sshConfigFile: text(SettingKey.sshConfigFile) } : {}),
    connectTimeoutMs: timeout * 1000,
  };
}
