// The integration tier: __tests__/integration/** and the tests of the harness (__tests__/harness/**),
// with the global setup (checks moto and Node 24, builds dist/ when missing).
import base from './jest.config.js'

/** @type {import('jest').Config} */
export default {
  ...base,
  testMatch: [
    '<rootDir>/__tests__/integration/**/*.test.ts',
    '<rootDir>/__tests__/harness/**/*.test.ts'
  ]
}
