import { defineConfig } from 'tsup'
import { packageBuild } from '../../tsup.shared'

// Two entries: the vitest suite, and its browser-safe cases.
export default defineConfig({ ...packageBuild, entry: ['src/index.ts', 'src/cases.ts'] })
