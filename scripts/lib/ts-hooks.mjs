// Lets Node 24 run this repository's TypeScript scripts and the test support code they import,
// unbundled and without a compile step: type stripping (with --experimental-transform-types for
// the parameter properties of the support code) runs the .ts files, and this hook resolves their
// relative `./x.js` imports (as TypeScript's NodeNext resolution wants them) to the `x.ts` files.
// Use: node --experimental-transform-types --import ./scripts/lib/ts-hooks.mjs scripts/x.ts
import { registerHooks } from 'node:module'

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context)
    } catch (error) {
      if (/^\.{1,2}\//.test(specifier) && specifier.endsWith('.js'))
        return nextResolve(`${specifier.slice(0, -3)}.ts`, context)
      throw error
    }
  }
})
