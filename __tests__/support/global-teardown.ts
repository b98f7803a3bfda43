// Runs once after all tests. Nothing to stop: each process's moto server (moto.ts) exits by itself
// when that process ends, and run-action.ts leaves each run's files in .tmp/runs for inspection.
export default function globalTeardown(): void {}
