import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const source = (name: string) =>
  fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url))

/**
 * Tests run against the workspace sources, so a change is tested without a rebuild;
 * publint and attw check the built `dist` separately.
 */
export const sharedTestConfig = defineConfig({
  resolve: {
    alias: {
      // Before the package's own entry: a string alias also matches its subpaths.
      '@lifeline/conformance/cases': fileURLToPath(
        new URL('./packages/conformance/src/cases.ts', import.meta.url),
      ),
      '@lifeline/conformance': source('conformance'),
      '@lifeline/core': source('core'),
      '@lifeline/server': source('server'),
      '@lifeline/sse-fetch': source('sse-fetch'),
      '@lifeline/sse-xhr': source('sse-xhr'),
      '@lifeline/websocket': source('websocket'),
      '@lifeline/long-poll': source('long-poll'),
      '@lifeline/redis': source('redis'),
      '@lifeline/react': source('react'),
      '@lifeline/tabs': source('tabs'),
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
  },
})
