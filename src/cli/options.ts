import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig, type Config } from '../config/index.js';

// Every `berth` command reads the configuration the same way `berth serve` does:
// berth.yml (--config), then BERTH_* variables, then the command's flags.

export interface ConfigFlags {
  config?: string;
  dataDir?: string;
}

/** Adds --config and --data-dir, the flags every command shares. */
export function withConfigOptions(command: Command): Command {
  return command
    .option('-c, --config <file>', 'configuration file (berth.yml)')
    .option('-d, --data-dir <dir>', 'data directory (dataDir)');
}

/** The configuration a command runs with; `overrides` are further config keys from its own flags. */
export function configFromFlags(flags: ConfigFlags, overrides: Record<string, unknown> = {}): Config {
  return loadConfig({
    file: flags.config,
    overrides: { ...overrides, ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }) },
  });
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('must be a port number (0-65535)');
  return port;
}
