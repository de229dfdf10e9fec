import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

/** The repository root. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const ambient = fileURLToPath(new URL('../docs-check/ambient.d.ts', import.meta.url))

/** One fenced TypeScript block of a Markdown file. */
export interface CodeBlock {
  /** Path relative to the repository root, e.g. `docs/recipes.md`. */
  file: string
  /** 1-based line of the block's first code line. */
  line: number
  /** The fence's info string after the language, e.g. `nocheck`. */
  info: string
  /** `tsx` blocks are checked as TSX (React components); the others as TypeScript. */
  jsx: boolean
  code: string
  /** The hidden declarations from a `<!-- ts … -->` comment right above the fence. */
  preamble: string
}

/** A compiler diagnostic placed at its line in the Markdown file. */
export interface DocProblem {
  file: string
  line: number
  message: string
}

const FENCE = /^(`{3,}|~{3,})\s*([^\s`]*)(.*)$/
const TS_LANGUAGES = new Set(['ts', 'typescript', 'tsx'])
const PREAMBLE = /^<!--\s*ts\b([\s\S]*?)-->\s*$/

/** Where the fence opened at `open` closes: the same character, at least as long (CommonMark). */
function closingLine(lines: readonly string[], from: number, fence: string): number {
  let end = from
  while (end < lines.length) {
    const close = /^(`{3,}|~{3,})\s*$/.exec(lines[end] ?? '')
    if (close?.[1] !== undefined && close[1][0] === fence[0] && close[1].length >= fence.length)
      break
    end++
  }
  return end
}

/**
 * The TypeScript blocks of one Markdown file. A block is hidden-prefixed by an HTML comment
 * `<!-- ts … -->` on the lines right before its fence (no blank line between).
 */
export function extractBlocks(file: string, markdown: string): CodeBlock[] {
  const lines = markdown.split('\n')
  const blocks: CodeBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? '')
    if (open === null) continue
    const [, fence = '```', language = '', info = ''] = open
    const end = closingLine(lines, i + 1, fence)
    if (TS_LANGUAGES.has(language)) {
      let preamble = ''
      if (lines[i - 1]?.trimEnd().endsWith('-->')) {
        let start = i - 1
        while (start > 0 && !(lines[start] ?? '').startsWith('<!--')) start--
        const comment = PREAMBLE.exec(lines.slice(start, i).join('\n'))
        if (comment !== null) preamble = comment[1] ?? ''
      }
      blocks.push({
        file,
        line: i + 2,
        info: info.trim(),
        jsx: language === 'tsx',
        code: lines.slice(i + 1, end).join('\n'),
        preamble,
      })
    }
    // Whatever the language, the block's lines are code, not Markdown: skip them.
    i = end
  }
  return blocks
}

/** The Markdown files the checker reads: the root README and every page of `docs/`. */
export function docFiles(): string[] {
  const docs = readdirSync(join(repoRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`)
  // The READMEs that ship with the packages are what npm shows: they are checked too.
  const packages = readdirSync(join(repoRoot, 'packages'))
    .filter((name) => existsSync(join(repoRoot, 'packages', name, 'README.md')))
    .sort()
    .map((name) => `packages/${name}/README.md`)
  return ['README.md', ...docs, ...packages]
}

const compilerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  isolatedModules: true,
  skipLibCheck: true,
  noEmit: true,
  allowImportingTsExtensions: true,
  jsx: ts.JsxEmit.ReactJSX,
  types: ['node'],
  baseUrl: repoRoot,
  // Blocks are checked against the workspace sources, like the tests run.
  paths: {
    '@lifeline/testkit/*': ['packages/testkit/src/*'],
    '@lifeline/conformance/cases': ['packages/conformance/src/cases.ts'],
    '@lifeline/*': ['packages/*/src/index.ts'],
  },
}

/**
 * Type-checks every block (except ```ts nocheck) as a module of its own, with its hidden
 * preamble before it and `docs-check/ambient.d.ts` in scope, in one program. Returns the
 * problems found in the blocks, at their Markdown lines.
 */
export function checkBlocks(blocks: readonly CodeBlock[]): DocProblem[] {
  const virtual = new Map<string, { block: CodeBlock; text: string; offset: number }>()
  for (const block of blocks) {
    if (/\bnocheck\b/.test(block.info)) continue
    const name = `${block.file.replaceAll('/', '__')}__${block.line}.${block.jsx ? 'tsx' : 'ts'}`
    const path = join(repoRoot, 'docs-check-virtual', name)
    const preamble = block.preamble.trim()
    const offset = preamble === '' ? 0 : preamble.split('\n').length
    // `export {}` makes every block a module: top-level names never clash across blocks.
    const text = `${preamble === '' ? '' : `${preamble}\n`}${block.code}\nexport {}\n`
    virtual.set(path, { block, text, offset })
  }
  const host = ts.createCompilerHost(compilerOptions, true)
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (path, language, ...rest) => {
    const entry = virtual.get(path)
    if (entry !== undefined) return ts.createSourceFile(path, entry.text, language, true)
    return getSourceFile(path, language, ...rest)
  }
  const fileExists = host.fileExists.bind(host)
  host.fileExists = (path) => virtual.has(path) || fileExists(path)
  const readFile = host.readFile.bind(host)
  host.readFile = (path) => virtual.get(path)?.text ?? readFile(path)

  const program = ts.createProgram([ambient, ...virtual.keys()], compilerOptions, host)
  const problems: DocProblem[] = []
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')
    const source = diagnostic.file
    const entry = source === undefined ? undefined : virtual.get(source.fileName)
    if (source === undefined || entry === undefined) {
      // A problem outside the blocks (the ambient file, the workspace): report it as is.
      const where = source === undefined ? '' : `${source.fileName}: `
      problems.push({ file: 'docs-check', line: 0, message: `${where}${message}` })
      continue
    }
    const at = source.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line
    const inPreamble = at < entry.offset
    problems.push({
      file: entry.block.file,
      line: inPreamble ? entry.block.line - 1 : entry.block.line + at - entry.offset,
      message: inPreamble ? `in the hidden preamble: ${message}` : message,
    })
  }
  return problems
}

/** The blocks of every file {@link docFiles} names. */
export function allBlocks(): CodeBlock[] {
  return docFiles().flatMap((file) =>
    extractBlocks(file, readFileSync(join(repoRoot, file), 'utf8')),
  )
}

/**
 * The entries of the published packages (not `private`), by name: `src/index.ts` as the
 * package, and each subpath of its `exports` map with a source file of the same name
 * (`@lifeline/conformance/cases` from `src/cases.ts`) as an entry of its own.
 */
export function publishedPackages(): { name: string; index: string }[] {
  const dir = join(repoRoot, 'packages')
  return readdirSync(dir)
    .sort()
    .flatMap((folder) => {
      const index = join(dir, folder, 'src', 'index.ts')
      let json: { name: string; private?: boolean; exports?: Record<string, unknown> }
      try {
        json = JSON.parse(readFileSync(join(dir, folder, 'package.json'), 'utf8'))
        readFileSync(index)
      } catch {
        return []
      }
      if (json.private === true) return []
      const subpaths = Object.keys(json.exports ?? {}).flatMap((key) => {
        const sub = /^\.\/([\w-]+)$/.exec(key)?.[1]
        const source = sub === undefined ? '' : join(dir, folder, 'src', `${sub}.ts`)
        return sub !== undefined && existsSync(source)
          ? [{ name: `${json.name}/${sub}`, index: source }]
          : []
      })
      return [{ name: json.name, index }, ...subpaths]
    })
}

/** The names each published package exports from its `src/index.ts`, values and types. */
export function publicExports(): Map<string, string[]> {
  const packages = publishedPackages()
  const program = ts.createProgram(
    packages.map((p) => p.index),
    compilerOptions,
  )
  const checker = program.getTypeChecker()
  const exports = new Map<string, string[]>()
  for (const { name, index } of packages) {
    const source = program.getSourceFile(index)
    const module = source === undefined ? undefined : checker.getSymbolAtLocation(source)
    const names = module === undefined ? [] : checker.getExportsOfModule(module).map((s) => s.name)
    exports.set(name, names.sort())
  }
  return exports
}

/** The `### \`name\`` entries of api.md under each `## \`@lifeline/pkg\`` (or `pkg/entry`) heading. */
export function apiEntries(markdown: string): Map<string, string[]> {
  const entries = new Map<string, string[]>()
  let current: string[] | undefined
  for (const line of markdown.split('\n')) {
    const pkg = /^## `(@lifeline\/[\w-]+(?:\/[\w-]+)?)`/.exec(line)
    if (pkg?.[1] !== undefined) {
      current = []
      entries.set(pkg[1], current)
    }
    const entry = /^### `([\w$]+)`/.exec(line)
    if (entry?.[1] !== undefined) current?.push(entry[1])
  }
  for (const names of entries.values()) names.sort()
  return entries
}
