import { fileURLToPath } from 'node:url'
import { defineConfig, mergeConfig } from 'vitest/config'
import { sharedTestConfig } from '../../vitest.shared.ts'

const react18 = (name: string) =>
  fileURLToPath(new URL(`../react-18/node_modules/${name}`, import.meta.url))

/**
 * Every test runs twice: against React 19 (this package's dev dependency) and React 18
 * (installed in the private `react-18` package). `LIFELINE_REACT` tells a browser test which
 * React to bundle into its page.
 */
export default mergeConfig(
  sharedTestConfig,
  defineConfig({
    test: {
      projects: [
        { extends: true, test: { name: 'react-19', env: { LIFELINE_REACT: '19' } } },
        {
          extends: true,
          resolve: { alias: { react: react18('react'), 'react-dom': react18('react-dom') } },
          test: { name: 'react-18', env: { LIFELINE_REACT: '18' } },
        },
      ],
    },
  }),
)
