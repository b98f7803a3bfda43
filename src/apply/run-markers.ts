/**
 * The marker tags this run set on the user and must remove at its end, whatever happens (also
 * when setting one seemed to fail: its answer may have been lost).
 */
import type { Iam } from '../aws/iam.js'
import { KEY_ORIGIN_TAG_PREFIX, PENDING_KEY_TAG } from '../plan/markers.js'
import { errorText, type Context, type Log } from './outcome.js'

/** The context of the apply steps that may set marker tags. */
export interface ApplyContext extends Context {
  markers: RunMarkers
}

export class RunMarkers {
  private readonly toRemove = new Set<string>()

  constructor(
    private readonly iam: Iam,
    private readonly userName: string,
    private readonly log: Log,
    /** Where the tags that could not be removed are recorded (the run's last lines name them). */
    private readonly left: string[]
  ) {}

  /** `tag` is removed by the next call of removeAll (at the latest, the run's end). */
  removeLater(tag: string): void {
    this.toRemove.add(tag)
  }

  /** `tag` is set anew by this run: it is no longer to be removed. */
  keep(tag: string): void {
    this.toRemove.delete(tag)
  }

  /** Removes the tags marked so far, in one call; a failure is a warning, never an error. */
  async removeAll(): Promise<void> {
    if (this.toRemove.size === 0) return
    const keys = [...this.toRemove]
    this.toRemove.clear()
    await this.iam.untagUser(this.userName, keys).catch((e: unknown) => {
      // A key's origin record left behind is no marker: the next run removes it as stale.
      const markers = keys.filter(k => !k.startsWith(KEY_ORIGIN_TAG_PREFIX))
      this.left.push(...markers.filter(k => !this.left.includes(k)))
      this.log.warning(
        `Could not remove the tag(s) ${keys.join(', ')} from ${this.userName} (${errorText(e)}).` +
          (keys.includes(PENDING_KEY_TAG)
            ? ' The next run takes the new key for unfinished and replaces it everywhere.'
            : ' The rotation marker expires by itself.')
      )
    })
  }
}
