import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/** JSON logs on stdout (pino); one root logger built by main.ts and passed down. */
export function createLogger(level: LevelWithSilent = 'info'): Logger {
  return pino({ level, base: { service: 'berth' }, timestamp: pino.stdTimeFunctions.isoTime });
}
