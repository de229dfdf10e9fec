import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  allBlocks,
  apiEntries,
  checkBlocks,
  docFiles,
  extractBlocks,
  publicExports,
  repoRoot,
} from './docs-check'

describe('docs checker', () => {
  it('reads ts blocks with their hidden preamble and info, and nothing inside other fences', () => {
    const markdown = [
      '# Page',
      '<!-- ts',
      'declare const x: number',
      '-->',
      '```ts',
      'x.toFixed()',
      '```',
      '````md',
      '```ts',
      'not a block',
      '```',
      '````',
      '```ts nocheck',
      'fragment(',
      '```',
    ].join('\n')
    expect(extractBlocks('page.md', markdown)).toEqual([
      {
        file: 'page.md',
        line: 6,
        info: '',
        jsx: false,
        code: 'x.toFixed()',
        preamble: '\ndeclare const x: number\n',
      },
      { file: 'page.md', line: 14, info: 'nocheck', jsx: false, code: 'fragment(', preamble: '' },
    ])
  })

  it('reports a type error at its line in the Markdown file', () => {
    const blocks = extractBlocks(
      'page.md',
      [
        '```ts',
        "import { createClient } from '@lifeline/core'",
        '',
        'createClient({ url: 1 })',
        '```',
      ].join('\n'),
    )
    const problems = checkBlocks(blocks)
    expect(problems.map(({ file, line }) => ({ file, line }))).toEqual([
      { file: 'page.md', line: 4 },
    ])
  })

  it('checks a tsx block as TSX against real React types', () => {
    const blocks = extractBlocks(
      'page.md',
      [
        '```tsx',
        'export const ok = <p>{1}</p>',
        'export const bad = <p title={2}>x</p>',
        '```',
      ].join('\n'),
    )
    expect(blocks.map((b) => b.jsx)).toEqual([true])
    expect(checkBlocks(blocks).map(({ line }) => line)).toEqual([3])
  })
})

describe('api.md entries', () => {
  it('are grouped under their package, and a second entry of a package apart from it', () => {
    const markdown = ['## `@lifeline/x`', '### `b`', '### `a`', '## `@lifeline/x/cases`', '### `c`']
    expect(Object.fromEntries(apiEntries(markdown.join('\n')))).toEqual({
      '@lifeline/x': ['a', 'b'],
      '@lifeline/x/cases': ['c'],
    })
  })

  it('are expected for each subpath of an exports map with a source file', () => {
    expect(publicExports().get('@lifeline/conformance/cases')).toContain('runContractCase')
  }, 60_000)
})

describe('docs', () => {
  const blocks = allBlocks()

  it('finds every ```ts fence of every page', () => {
    for (const file of docFiles()) {
      // Examples of Markdown (in ````md fences) show fences that are not blocks.
      const text = readFileSync(join(repoRoot, file), 'utf8').replace(/^````[\s\S]*?^````$/gm, '')
      const fences = text.match(/^```(ts|typescript|tsx)\b/gm)
      expect(blocks.filter((b) => b.file === file)).toHaveLength(fences?.length ?? 0)
    }
  })

  it('every ts block of README.md, docs/*.md and the package READMEs type-checks against the workspace sources', () => {
    const problems = checkBlocks(blocks).map((p) => `${p.file}:${p.line}: ${p.message}`)
    expect(problems).toEqual([])
  }, 60_000)

  it('docs/api.md has one entry for every public export of every published package, and no other', () => {
    const documented = apiEntries(readFileSync(join(repoRoot, 'docs/api.md'), 'utf8'))
    const exported = publicExports()
    expect(exported.size).toBeGreaterThanOrEqual(5)
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(exported))
  }, 60_000)
})
