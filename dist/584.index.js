export const id = 584;
export const ids = [584];
export const modules = {

/***/ 6584:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   WRITE_CONCURRENCY: () => (/* binding */ WRITE_CONCURRENCY),
/* harmony export */   WritePacer: () => (/* binding */ WritePacer),
/* harmony export */   createGitHubClient: () => (/* binding */ createGitHubClient)
/* harmony export */ });
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1758);
/* harmony import */ var _octokit_plugin_retry__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(9735);
/* harmony import */ var _octokit_plugin_throttling__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6856);
/* harmony import */ var bottleneck_light_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3251);
/* harmony import */ var bottleneck_light_js__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(bottleneck_light_js__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _slots_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1302);
/**
 * Octokit for the secrets API, with GitHub's throttling and retry plugins: retry-after and
 * secondary rate limits are honoured by the plugins, never by hand-written loops here. On top of
 * them, a WritePacer bounds how many writes are in flight and slows them down once GitHub says
 * they come too fast.
 */





/** How often a rate-limited request is tried again before the run gives up on it. */
const RATE_LIMIT_RETRIES = 4;
/**
 * Content-creating requests (PUT, POST, PATCH, DELETE) in flight at once. GitHub asks for writes
 * to be made one after another rather than concurrently; four keeps a run of four secrets quick
 * while a rate-limited write holds its slot until the plugin has retried it, so that the queue
 * stops behind it instead of running into the limit again.
 */
const WRITE_CONCURRENCY = 4;
/** Paced writes stay this far under the rate GitHub accepted before it answered with a limit. */
const PACE_MARGIN = 0.9;
const CONTENT_CREATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/**
 * Paces content-creating requests from GitHub's own feedback. GitHub documents a secondary limit
 * of about 80 content-creating requests a minute (and 500 an hour) but reports the window only
 * through retry-after. Until the first limit, writes run as fast as WRITE_CONCURRENCY allows. When
 * a write is refused with retry-after R seconds, the writes GitHub accepted in the R seconds before
 * are what it allows per R seconds: from then on, writes start evenly spaced at PACE_MARGIN of
 * that rate, so the rest of the run is not refused again. Each further refusal (after R seconds)
 * lowers the rate again. The refused write itself is retried by the throttling plugin.
 */
class WritePacer {
    now;
    slots = new _slots_js__WEBPACK_IMPORTED_MODULE_2__/* .Slots */ .W(WRITE_CONCURRENCY);
    /** When each accepted write completed (ms), newest last. */
    accepted = [];
    pacedAt = Number.NEGATIVE_INFINITY;
    perWindow;
    /** Milliseconds between the starts of two writes; 0 until GitHub first refuses one. */
    spacingMs = 0;
    constructor(now = Date.now) {
        this.now = now;
    }
    schedule(write) {
        return this.slots.run(async () => {
            const result = await write();
            this.accepted.push(this.now());
            return result;
        });
    }
    /**
     * GitHub refused a write for `retryAfterSeconds`: pace the writes still to come. True when the
     * pace changed (false for the other writes refused in the same burst).
     */
    limited(retryAfterSeconds) {
        const now = this.now();
        const windowMs = Math.max(1, retryAfterSeconds) * 1000;
        // The writes in flight when the limit struck are refused together: one adjustment for all.
        if (now - this.pacedAt < windowMs)
            return false;
        const recent = this.accepted.filter(at => now - at < windowMs).length;
        const allowed = Math.min(recent, this.perWindow ?? recent);
        this.perWindow = Math.max(1, Math.floor(allowed * PACE_MARGIN));
        this.spacingMs = Math.ceil(windowMs / this.perWindow);
        this.pacedAt = now;
        this.slots.spacingMs = this.spacingMs;
        return true;
    }
}
function createGitHubClient(token, log, pacer = new WritePacer()) {
    // GITHUB_API_URL (GitHub Enterprise Server, or a test stand-in) is read by getOctokit itself.
    const octokit = (0,_actions_github__WEBPACK_IMPORTED_MODULE_0__/* .getOctokit */ .Q)(token, {
        throttle: {
            // The plugin's own write group only spaces the starts of writes (one a second by
            // default); the WritePacer below does that from GitHub's feedback instead.
            write: new (bottleneck_light_js__WEBPACK_IMPORTED_MODULE_1___default().Group)({ id: 'octokit-write', minTime: 0 }),
            onRateLimit: (retryAfter, options, _o, retryCount) => {
                log.warning(`GitHub rate limit on ${options.method} ${options.url}; retrying in ${retryAfter}s.`);
                return retryCount < RATE_LIMIT_RETRIES;
            },
            onSecondaryRateLimit: (retryAfter, options, _o, retryCount) => {
                const message = `GitHub secondary rate limit on ${options.method} ${options.url}; retrying in ${retryAfter}s`;
                if (pacer.limited(retryAfter))
                    log.warning(`${message}; from now on one write every ${pacer.spacingMs} ms.`);
                else
                    log.debug(`${message}.`);
                return retryCount < RATE_LIMIT_RETRIES;
            }
        },
        retry: { doNotRetry: [400, 401, 403, 404, 409, 422, 451] }
    }, _octokit_plugin_throttling__WEBPACK_IMPORTED_MODULE_3__/* .throttling */ .A, _octokit_plugin_retry__WEBPACK_IMPORTED_MODULE_4__/* .retry */ .L);
    // Registered after the plugins, so it wraps them: a write holds its slot through their retries.
    octokit.hook.wrap('request', (request, options) => CONTENT_CREATING.has(options.method)
        ? pacer.schedule(async () => request(options))
        : request(options));
    return octokit;
}


/***/ }),

/***/ 1302:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   W: () => (/* binding */ Slots)
/* harmony export */ });
/**
 * A concurrency limit with optional spacing between starts, for the writes to GitHub and the
 * destinations written at once. Bottleneck (which the throttling plugin brings) yields to the event
 * loop several times a job, about 5 ms here; with a free slot and no spacing, a job here starts in
 * the same turn, so the writes of one wave leave together.
 */
class Slots {
    max;
    running = 0;
    waiting = [];
    nextStart = 0;
    /** Milliseconds between two starts; 0 (the default) starts jobs as soon as a slot is free. */
    spacingMs = 0;
    constructor(max) {
        this.max = max;
    }
    async run(job) {
        await this.acquire();
        try {
            await this.spaced();
            return await job();
        }
        finally {
            this.release();
        }
    }
    acquire() {
        if (this.running < this.max) {
            this.running++;
            return undefined;
        }
        return new Promise(resolve => this.waiting.push(resolve));
    }
    /** Hands the slot to the next job waiting, if any (first come, first served). */
    release() {
        const next = this.waiting.shift();
        if (next)
            next();
        else
            this.running--;
    }
    /** Starts are reserved in order, each spacingMs after the one before. */
    async spaced() {
        if (this.spacingMs <= 0)
            return;
        const at = Math.max(performance.now(), this.nextStart);
        this.nextStart = at + this.spacingMs;
        // Timers count whole milliseconds from the event loop's cached clock, so one may fire a
        // little early: wait again for what is left.
        for (let left = at - performance.now(); left > 0; left = at - performance.now())
            await new Promise(resolve => setTimeout(resolve, Math.ceil(left)));
    }
}


/***/ })

};

//# sourceMappingURL=584.index.js.map