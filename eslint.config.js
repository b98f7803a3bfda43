import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/**
 * Decisions do no I/O: src/inputs/ and src/plan/ are pure functions of the config and what was
 * observed. They may not import the SDKs, @actions/*, node's network modules or the folders that
 * do I/O (__tests__/unit/purity.test.ts shows the rule failing).
 */
export const PURE_FOLDERS = ['src/inputs/**/*.ts', 'src/plan/**/*.ts']
export const IO_IMPORTS = [
  {
    group: ['@aws-sdk/*', '@smithy/*'],
    message: 'decisions do no I/O: the AWS SDK lives in src/aws/.'
  },
  {
    group: ['@octokit/*', '@actions/*'],
    message:
      'decisions do no I/O: GitHub and the runner live in src/github/, src/apply/ and src/render/.'
  },
  {
    group: [
      'node:http',
      'node:https',
      'node:net',
      'node:fs',
      'http',
      'https',
      'net',
      'fs',
      'libsodium-wrappers'
    ],
    message: 'decisions do no I/O.'
  },
  {
    group: ['**/aws/*', '**/github/*', '**/apply/*', '**/render/*', '**/main.js', '**/observe.js'],
    message:
      'decisions do no I/O: src/inputs/ and src/plan/ import only each other and src/errors.ts.'
  }
]

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'build/',
      '.venv/',
      'coverage/',
      '.tmp/',
      '.tools/',
      'reports/',
      '.stryker-tmp/'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }]
    }
  },
  {
    files: PURE_FOLDERS,
    rules: { 'no-restricted-imports': ['error', { patterns: IO_IMPORTS }] }
  }
)
