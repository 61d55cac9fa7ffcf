import { configError, ErasureError } from './errors'
import { ignore, isFunction, isThenable } from './retry'
import type { Eraser } from './eraser'
import type { EraserHooks } from './types'

/** What a plugin's `setup` receives: the eraser (its `providers`, to keep per-provider state; `hook`, whose hooks name the plugin when they fail). */
export type PluginHost = Eraser

/** A bundle of hooks (logging, metrics, audit sinks), shipped by any package. `setup` is synchronous: async work belongs in the hooks. */
export type Plugin =
  | { name: string; setup(eraser: PluginHost): void; hooks?: Partial<EraserHooks> | undefined }
  | { name: string; hooks: Partial<EraserHooks> }

/** Types a plugin (a misspelt hook name is a type error). */
export function definePlugin(plugin: Plugin): Plugin {
  return plugin
}

// The plugin whose hook threw an error: a request hook's failure names it (the outcome's message
// is often all a receipt keeps). A side table, so the error itself reaches the pipeline unchanged.
const owners = new WeakMap<object, string>()

/**
 * The name of the plugin whose hook last threw `error`, if one did; `forget` clears it once read
 * (the same error object may be thrown again, by another hook).
 */
export function pluginOf(error: unknown, forget?: boolean): string | undefined {
  const plugin = owners.get(error as object)
  if (forget) owners.delete(error as object)
  return plugin
}

/** Registers a plugin's hooks, then runs its setup; a mistake names the plugin, and so does a hook's failure. */
export function installPlugin(host: PluginHost, plugin: Plugin): void {
  const fail = (message: string) => configError(`plugin ${JSON.stringify(plugin.name)}: ${message.replace(/^\[erasekit\] /, '')}`)
  // Hooks are awaited anyway: the async wrapper changes no order, only records what fails.
  const named: PluginHost = {
    ...host,
    hook: (name, fn) =>
      host.hook(
        name,
        !isFunction(fn)
          ? fn
          : ((async (...args: never[]) => {
              try {
                return await (fn as (...args: never[]) => unknown)(...args)
              } catch (error) {
                if (Object(error) === error) owners.set(error as object, plugin.name)
                throw error
              }
            }) as typeof fn),
      ),
  }
  let pending: unknown
  try {
    for (const [name, fn] of Object.entries(plugin.hooks ?? {})) {
      if (fn) named.hook(name as keyof EraserHooks, fn as EraserHooks[keyof EraserHooks])
    }
    if ('setup' in plugin) pending = plugin.setup(named)
  } catch (error) {
    throw ErasureError.isInstance(error) && error.code === 'invalid_config' ? fail(error.message) : error
  }
  if (isThenable(pending)) {
    // Its failure could never be reported (createEraser has returned): refuse it, and keep it from crashing the process.
    pending.then(undefined, ignore)
    throw fail('setup must be synchronous (register hooks in it; do async work inside the hooks)')
  }
}
