import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

describe('browser bundle', () => {
  it.each([false, true])('contains no ws code (minify: %s)', async (minify) => {
    const result = await build({
      entryPoints: [here('../src/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      minify,
      write: false,
      metafile: true,
      logLevel: 'error',
      alias: { '@lifeline/core': here('../../core/src/index.ts') },
    })
    const inputs = Object.keys(result.metafile.inputs)
    expect(inputs).toContain('src/index.ts')
    expect(inputs.filter((path) => path.includes('node_modules/ws/'))).toEqual([])
    const text = result.outputFiles[0]?.text ?? ''
    // ws's browser stub, and a literal import a later bundler would follow.
    expect(text).not.toContain('ws does not work in the browser')
    expect(text).not.toMatch(/import\(\s*["']ws["']\s*\)/)
  })
})
