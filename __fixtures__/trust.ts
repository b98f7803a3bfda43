/** A repository as the trust policy sees it (src/plan/trust.ts), with GitHub's default subject. */
import type { TrustedRepository } from '../src/plan/trust.js'

export function trustedRepository(overrides: Partial<TrustedRepository> = {}): TrustedRepository {
  return {
    fullName: 'octo-org/app',
    id: 456789,
    ownerId: 123456,
    defaultBranch: 'main',
    subject: { useDefault: true },
    ...overrides
  }
}
