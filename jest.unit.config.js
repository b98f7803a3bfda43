// The unit tier: __tests__/unit/** only, no global setup (no moto, no dist/ needed); needs only npm ci.
import base from './jest.config.js'

/** @type {import('jest').Config} */
export default {
  ...base,
  globalSetup: undefined,
  globalTeardown: undefined,
  testMatch: ['<rootDir>/__tests__/unit/**/*.test.ts'],
  testTimeout: 10000,
  maxWorkers: '50%'
}
