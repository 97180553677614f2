// The values of -log-level, apart from the logger so that reading flags does not load pino.
export const logLevels = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];
