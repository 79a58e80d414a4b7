/** Where the application layer writes its log lines: VS Code's log channel, the CLI's stderr (with --verbose), or nothing. */
export interface AppLog {
  info(message: string): void;
  warn(message: string): void;
}

export const silentLog: AppLog = { info: () => undefined, warn: () => undefined };
