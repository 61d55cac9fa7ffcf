export { defineConfig } from './config'
export type { Config, EnvRef, ProvidersConfig, Secret } from './config'
