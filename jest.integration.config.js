// The integration tier: __tests__/integration/** and the tests of the harness (__tests__/harness/**),
// with the global setup (checks moto and Node 24, builds dist/ when missing).
import base from './jest.config.js'

/** @type {import('jest').Config} */
export default {
  ...base,
  // Three workers on two cores: the tests wait on moto, the stand-in, retries and polling more than
  // they compute (measured on 2 cores: 396 s with two workers, 284 s with three and the sweeps in
  // files of their own, the CPU 86 % busy).
  maxWorkers: 3,
  testMatch: [
    '<rootDir>/__tests__/integration/**/*.test.ts',
    '<rootDir>/__tests__/harness/**/*.test.ts'
  ]
}
