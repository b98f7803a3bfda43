/**
 * A concurrency limit with optional spacing between starts, for the writes to GitHub and the
 * destinations written at once. Bottleneck (which the throttling plugin brings) yields to the event
 * loop several times a job, about 5 ms here; with a free slot and no spacing, a job here starts in
 * the same turn, so the writes of one wave leave together.
 */
export class Slots {
  private running = 0
  private readonly waiting: (() => void)[] = []
  private nextStart = 0
  /** Milliseconds between two starts; 0 (the default) starts jobs as soon as a slot is free. */
  spacingMs = 0

  constructor(private readonly max: number) {}

  async run<T>(job: () => Promise<T>): Promise<T> {
    await this.acquire()
    try {
      await this.spaced()
      return await job()
    } finally {
      this.release()
    }
  }

  private acquire(): Promise<void> | undefined {
    if (this.running < this.max) {
      this.running++
      return undefined
    }
    return new Promise(resolve => this.waiting.push(resolve))
  }

  /** Hands the slot to the next job waiting, if any (first come, first served). */
  private release(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.running--
  }

  /** Starts are reserved in order, each spacingMs after the one before. */
  private async spaced(): Promise<void> {
    if (this.spacingMs <= 0) return
    const at = Math.max(performance.now(), this.nextStart)
    this.nextStart = at + this.spacingMs
    // Timers count whole milliseconds from the event loop's cached clock, so one may fire a
    // little early: wait again for what is left.
    for (let left = at - performance.now(); left > 0; left = at - performance.now())
      await new Promise(resolve => setTimeout(resolve, Math.ceil(left)))
  }
}
