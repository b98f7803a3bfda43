// The local demo (`npm run demo`: scripts/demo.sh runs scripts/demo.ts on Node 24) must keep
// working: a dry run, a setup, a re-run and a rotation against its own moto and GitHub stand-in,
// ending with a stored pair that works, the replaced key refused, and no secret printed.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { NODE24, REPO_ROOT } from '../support/run-action.js'

function runDemo(): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      NODE24,
      [
        '--experimental-transform-types',
        '--disable-warning=ExperimentalWarning',
        '--import',
        './scripts/lib/ts-hooks.mjs',
        join('scripts', 'demo.ts')
      ],
      { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' } }
    )
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.once('error', reject)
    child.once('close', code => resolve({ code, out }))
  })
}

test('npm run demo: setup, re-run and rotation, a working stored pair, no secret shown', async () => {
  const { code, out } = await runDemo()
  expect(code).toBe(0)
  expect(out).toContain('Demo finished.')
  for (const step of [
    '1. ',
    '2. Setup',
    '3. Re-run',
    '4. Rotation',
    '5. Drift check',
    '6. Removal'
  ])
    expect(out).toContain(step)
  expect(out).toContain(`Secrets of ${'octo-org/octo-repo'} now: none`)
  expect(out).toMatch(
    /STS GetCallerIdentity with the stored pair: arn:aws:\S+:user\/s3-credentials-action\/octo-org\+/
  )
  expect(out).toMatch(/The same with the key before the rotation \(AKIA\w+\), in its grace: arn:/)
  expect(out).toMatch(/AWS_SECRET_ACCESS_KEY {2}\(40 characters, not shown\)/)
  // A secret access key is 40 characters of base64; nothing of that shape may be printed.
  expect(out).not.toMatch(/(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/)
}, 180_000)
