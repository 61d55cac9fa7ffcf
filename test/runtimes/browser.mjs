// Browser probe (Chromium, happy-dom): bundled by esbuild (conditions browser) from the BUILT
// packages; exposes globalThis.runScenario(config).
import { createEraser } from '@erasekit/core'
import { adapty } from '@erasekit/adapty'
import { clevertap } from '@erasekit/clevertap'
import { altcraft } from '@erasekit/altcraft'
import { batch } from '@erasekit/batch'
import { eraseEverywhere } from './scenario.mjs'

globalThis.runScenario = async (config) => ({ ...(await eraseEverywhere({ createEraser, adapty, clevertap, altcraft, batch }, config)), format: 'esm-bundle' })
