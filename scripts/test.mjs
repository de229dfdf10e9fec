// Runs every check of the repository and ends with one line `N passed, N failed`.
// Lint, type checks, publint/attw and the build count as tests beside vitest's own.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', FORCE_COLOR: '0' }
let passed = 0
let failed = 0
const failures = []

function run(label, command, args, cwd = root) {
  console.log(`\n▶ ${label}`)
  const result = spawnSync(command, args, { cwd, env, stdio: 'inherit' })
  return result.status === 0
}

function check(label, command, args, cwd) {
  if (run(label, command, args, cwd)) passed++
  else {
    failed++
    failures.push(label)
  }
}

const packagesDir = join(root, 'packages')
const packages = readdirSync(packagesDir)
  .filter((name) => existsSync(join(packagesDir, name, 'package.json')))
  .map((name) => ({
    name,
    dir: join(packagesDir, name),
    json: JSON.parse(readFileSync(join(packagesDir, name, 'package.json'), 'utf8')),
  }))

check('build (turbo)', 'npx', ['turbo', 'run', 'build', '--output-logs=errors-only'])
check('lint (biome)', 'npx', ['biome', 'check', '.'])
for (const pkg of packages) {
  if (pkg.json.scripts?.typecheck)
    check(`typecheck ${pkg.json.name}`, 'npm', ['run', '-s', 'typecheck'], pkg.dir)
  if (pkg.json.scripts?.['package-check'])
    check(`publint + attw ${pkg.json.name}`, 'npm', ['run', '-s', 'package-check'], pkg.dir)
}

// Test suites run one package at a time: several are timing-sensitive on 2 cores.
for (const pkg of packages) {
  if (!pkg.json.scripts?.test) continue
  const report = join(pkg.dir, 'reports', 'vitest.json')
  rmSync(report, { force: true })
  const ok = run(`test ${pkg.json.name}`, 'npm', ['run', '-s', 'test'], pkg.dir)
  if (!existsSync(report)) {
    failed++
    failures.push(`test ${pkg.json.name} (no report)`)
    continue
  }
  const counts = JSON.parse(readFileSync(report, 'utf8'))
  passed += counts.numPassedTests
  failed += counts.numFailedTests
  if (counts.numFailedTests > 0) failures.push(`test ${pkg.json.name}`)
  // A suite that fails to load, or a package with no test, reports no failed test but
  // must not pass: count it once.
  if ((!ok || counts.numTotalTests === 0) && counts.numFailedTests === 0) {
    failed++
    failures.push(
      `test ${pkg.json.name} (${counts.numTotalTests === 0 ? 'no tests' : 'suite error'})`,
    )
  }
}

if (failures.length > 0) console.log(`\nFailed: ${failures.join(', ')}`)
console.log(`\n${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
