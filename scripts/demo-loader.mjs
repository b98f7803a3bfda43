// Lets Node 24 run the TypeScript demo and the test support code it imports, unbundled: their
// relative imports say `./x.js` (as TypeScript's NodeNext resolution wants), the files are `x.ts`.
// Used as `node --experimental-transform-types --import ./scripts/demo-loader.mjs scripts/demo.ts`.
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
