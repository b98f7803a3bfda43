// Mutation testing of the unit tier (Issue 12): `npm run test:mutation`.
// The unit tests are ESM, run by jest under --experimental-vm-modules.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: {
    configFile: 'jest.unit.config.js',
    // action-yml.test.ts reads src/ as text to find the inputs the code reads: in the sandbox
    // src/ is instrumented (every literal wrapped in a mutant switch), which that scan refuses.
    config: {
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/__tests__/unit/action-yml.test.ts']
    }
  },
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  coverageAnalysis: 'perTest',
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  mutate: [
    'src/inputs/**/*.ts',
    'src/plan/**/*.ts',
    'src/aws/errors.ts',
    'src/github/errors.ts',
    'src/aws/verify.ts'
  ],
  // Not copied into the sandbox: tool caches and build output the unit tests never read.
  ignorePatterns: ['/.venv', '/.tools', '/.tmp', '/build', '/coverage', '/dist', '/reports'],
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: 90 },
  // Two test runners and their checker on a 2-core machine: about 3 s a mutant (docs/mutation.md).
  concurrency: 2
}
