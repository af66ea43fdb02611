export { loadConfig, ConfigError, envName, configLeaves, type Config, type LoadOptions } from './load.js';
export { configSchema } from './schema.js';
