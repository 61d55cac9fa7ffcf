import type { EraserHooks } from './types'

/** What a plugin's `setup` receives: the eraser's hook registration. */
export interface PluginHost {
  hook<K extends keyof EraserHooks>(name: K, fn: EraserHooks[K]): () => void
}

/** A bundle of hooks (logging, metrics, audit sinks), shipped by any package. */
export type Plugin =
  | { name: string; setup(eraser: PluginHost): void }
  | { name: string; hooks: Partial<EraserHooks> }

export function definePlugin<P extends Plugin>(plugin: P): P {
  return plugin
}

export function installPlugin(host: PluginHost, plugin: Plugin): void {
  if ('setup' in plugin) return plugin.setup(host)
  for (const [name, fn] of Object.entries(plugin.hooks)) {
    if (fn) host.hook(name as keyof EraserHooks, fn as EraserHooks[keyof EraserHooks])
  }
}
