import type { Options } from 'tsup'

/** The one build shape every published package uses: ESM with declarations. */
export const packageBuild: Options = {
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
}
