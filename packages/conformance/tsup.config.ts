import { defineConfig } from 'tsup'
import { packageBuild } from '../../tsup.shared'

// Three entries: the vitest suite, its browser-safe cases, and the lifeline-conformance bin
// (its shebang line is kept by esbuild).
export default defineConfig({
  ...packageBuild,
  entry: ['src/index.ts', 'src/cases.ts', 'src/cli.ts'],
})
