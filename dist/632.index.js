export const id = 632;
export const ids = [632];
export const modules = {

/***/ 7632:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  execute: () => (/* binding */ execute)
});

// EXTERNAL MODULE: ./src/github/destinations.ts
var destinations = __webpack_require__(4934);
;// CONCATENATED MODULE: ./src/github/seal.ts
let loading;
async function sealer() {
    loading ??= __webpack_require__.e(/* import() */ 768).then(__webpack_require__.bind(__webpack_require__, 4768)).then(async ({ default: sodium }) => {
        await sodium.ready;
        return sodium;
    });
    const sodium = await loading;
    return (value, publicKeyBase64) => {
        const key = sodium.from_base64(publicKeyBase64, sodium.base64_variants.ORIGINAL);
        const sealed = sodium.crypto_box_seal(sodium.from_string(value), key);
        return sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL);
    };
}

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-sts/dist-es/commands/GetCallerIdentityCommand.js + 1 modules
var GetCallerIdentityCommand = __webpack_require__(869);
// EXTERNAL MODULE: ./src/aws/clients.ts + 40 modules
var aws_clients = __webpack_require__(2450);
// EXTERNAL MODULE: ./src/aws/errors.ts
var aws_errors = __webpack_require__(9378);
;// CONCATENATED MODULE: ./src/aws/verify.ts
/**
 * Proves that a new key works before anything depends on it. IAM is eventually consistent: a new
 * key can be refused for a few seconds, so this polls with short, growing intervals.
 */



const FIRST_DELAY_MS = 100;
/**
 * The longest time between the starts of two attempts: once IAM accepts the key, the next attempt
 * comes within this, and the step goes on a round trip later. An attempt is two cheap reads
 * (GetCallerIdentity is free), so a short cap costs little.
 */
const MAX_DELAY_MS = 300;
function nextDelay(previous) {
    return Math.min(MAX_DELAY_MS, Math.round(previous * 1.5));
}
async function verifyKey(credentials, target, sleep = ms => new Promise(r => setTimeout(r, ms))) {
    const clients = await (0,aws_clients/* clientsForKey */.X)(target.region, credentials);
    const started = Date.now();
    let delay = FIRST_DELAY_MS;
    let attempts = 0;
    let lastError;
    for (;;) {
        attempts++;
        const attemptStarted = Date.now();
        try {
            // Both checks at once: one round trip per attempt, not two.
            const [me] = await Promise.all([
                clients.sts.send(new GetCallerIdentityCommand/* GetCallerIdentityCommand */.z({})),
                target.bucket ? clients.list(target.bucket) : undefined
            ]);
            if (me.Arn !== target.userArn)
                throw new Error(`key belongs to ${me.Arn}, not ${target.userArn}`);
            return { ok: true, attempts, waitedMs: Date.now() - started };
        }
        catch (e) {
            lastError = (0,aws_errors/* errorName */.Is)(e) || (e instanceof Error ? e.message : String(e));
        }
        const elapsed = Date.now() - started;
        if (elapsed + delay > target.timeoutMs)
            return { ok: false, attempts, waitedMs: elapsed, lastError };
        // The delay runs from the start of the attempt: a slow answer does not add to it.
        await sleep(Math.max(0, delay - (Date.now() - attemptStarted)));
        // A late timer (a busy machine) must not start an attempt past the bound.
        if (Date.now() - started >= target.timeoutMs)
            return { ok: false, attempts, waitedMs: Date.now() - started, lastError };
        delay = nextDelay(delay);
    }
}

// EXTERNAL MODULE: ./src/observe.ts + 1 modules
var observe = __webpack_require__(3818);
// EXTERNAL MODULE: ./src/outcome.ts
var src_outcome = __webpack_require__(4671);
;// CONCATENATED MODULE: ./src/key-lifecycle.ts




/**
 * Makes room within the two-key limit, then creates the key; meanwhile a rotation marks the user
 * (the marker does not depend on the key, so it costs no round trip of its own).
 */
async function prepareKey(ctx, clear) {
    const { plan, aws } = ctx;
    if (plan.key.action !== 'create')
        return { removed: [] };
    let marking;
    if (plan.user.action === 'reuse') {
        // Removed at the end even when tagging seems to fail: the answer may have been lost.
        clear.add(observe/* ROTATION_LOCK_TAG */.U$);
        const lockUntil = new Date(ctx.now().getTime() + (ctx.config.verifyTimeoutSeconds + 600) * 1000);
        marking = aws.iam.tagUser(plan.userName, [
            {
                key: observe/* ROTATION_LOCK_TAG */.U$,
                value: (0,observe/* formatRotationLock */.d7)({ runId: ctx.runId, expiresAt: lockUntil })
            }
        ]);
    }
    const [marked, made] = await Promise.allSettled([marking, makeRoomAndCreate(ctx, plan.key)]);
    if (marked.status === 'fulfilled' && made.status === 'fulfilled')
        return made.value;
    if (made.status === 'rejected')
        throw made.reason;
    await deleteNewKey(ctx, made.value.key.id, 'the user could not be marked as rotating');
    throw marked.reason;
}
async function makeRoomAndCreate(ctx, keyPlan) {
    const { plan, aws, log } = ctx;
    const results = await Promise.allSettled(keyPlan.removeFirst.map(r => aws.iam.deleteAccessKey(plan.userName, r.keyId)));
    const removed = [];
    keyPlan.removeFirst.forEach((r, i) => {
        if (results[i]?.status !== 'fulfilled')
            return;
        removed.push(r.keyId);
        log.info(`Deleted access key ${r.keyId}: ${r.why}.`);
    });
    const failure = results.find(r => r.status === 'rejected');
    if (failure)
        throw failure.reason;
    const key = await createKey(ctx);
    log.info(`Created access key ${key.id}.`);
    return { key, removed };
}
/**
 * CreateAccessKey, which the SDK tries again when an answer is lost: the lost attempt may have
 * made a key whose secret never arrived, which nothing can ever use. Such a stray (a key of the
 * user that was not there at the look-up and is not the one returned) is deleted: after a retry,
 * and after a failure (where it may be what filled the two-key limit; then the key is created
 * once more).
 */
async function createKey(ctx) {
    const user = ctx.plan.userName;
    let key;
    try {
        key = await ctx.aws.iam.createAccessKey(user);
    }
    catch (e) {
        if ((await deleteStrayKeys(ctx, undefined)) === 0)
            throw e;
        key = await ctx.aws.iam.createAccessKey(user);
    }
    if (key.attempts > 1)
        await deleteStrayKeys(ctx, key.id);
    return key;
}
/** Deletes the user's keys made by this run's lost attempts; how many it deleted. */
async function deleteStrayKeys({ plan, aws, log, userKeyIds }, made) {
    const keys = await aws.iam.listAccessKeys(plan.userName).catch((e) => {
        log.warning(`Could not list the keys of ${plan.userName} to find strays (${(0,src_outcome/* errorText */.k)(e)}).`);
        return [];
    });
    const strays = keys.filter(k => k.id !== made && !userKeyIds.includes(k.id));
    const deleted = await Promise.all(strays.map(async ({ id }) => {
        try {
            await aws.iam.deleteAccessKey(plan.userName, id);
            log.warning(`Deleted access key ${id}: an attempt at CreateAccessKey whose answer was lost made it, so its secret never arrived.`);
            return true;
        }
        catch (e) {
            log.warning(`Access key ${id} was made by an attempt at CreateAccessKey whose answer was lost and could not be deleted (${(0,src_outcome/* errorText */.k)(e)}); nothing can use it: delete it in IAM.`);
            return false;
        }
    }));
    return deleted.filter(Boolean).length;
}
/** Removes this run's marker tags from the user (the rotation marker also expires by itself). */
async function clearTags({ plan, aws, log }, clear) {
    if (clear.size === 0)
        return;
    const keys = [...clear];
    clear.clear();
    await aws.iam
        .untagUser(plan.userName, keys)
        .catch((e) => log.warning(`Could not remove the tag(s) ${keys.join(', ')} from ${plan.userName} (${(0,src_outcome/* errorText */.k)(e)}).` +
        (keys.includes(observe/* PENDING_KEY_TAG */.DU)
            ? ' The next run takes the new key for unfinished and replaces it everywhere.'
            : ' The rotation marker expires by itself.')));
}
/** The new key is gone again: the pending tag goes back to what it was before this run. */
async function unmarkPending(ctx, clear) {
    const before = ctx.plan.key.action === 'create' ? (ctx.plan.key.resumes ?? []) : [];
    if (before.length === 0) {
        clear.add(observe/* PENDING_KEY_TAG */.DU);
        return;
    }
    await ctx.aws.iam
        .tagUser(ctx.plan.userName, [{ key: observe/* PENDING_KEY_TAG */.DU, value: before.join(' ') }])
        .catch((e) => ctx.log.warning(`Could not put back the tag ${observe/* PENDING_KEY_TAG */.DU} (${(0,src_outcome/* errorText */.k)(e)}).`));
}
/** Deletes a key no secret refers to; true when it is gone. */
async function deleteNewKey(ctx, keyId, why) {
    try {
        await ctx.aws.iam.deleteAccessKey(ctx.plan.userName, keyId);
        ctx.log.info(`Deleted the new access key ${keyId} again: ${why}.`);
        return true;
    }
    catch (e) {
        ctx.log.warning(`The new access key ${keyId} could not be deleted (${(0,src_outcome/* errorText */.k)(e)}); delete it in IAM: no secret refers to it.`);
        return false;
    }
}
function grantsBucketAccess(config) {
    return config.policy.kind !== 'managed';
}
/**
 * Proves that the new key works and, meanwhile, records it on the user as pending (with the keys
 * of unfinished earlier runs still there). Only then may a secret refer to it: a key that never
 * works, or that cannot be recorded, is deleted again and no secret changes.
 */
async function verifyAndMark(ctx, key, clear) {
    const { plan, config, aws } = ctx;
    const leftovers = plan.key.action === 'create' ? (plan.key.deleteAfter ?? []) : [];
    const [verified, marked] = await Promise.allSettled([
        verifyKey({ accessKeyId: key.id, secretAccessKey: key.secret }, {
            region: plan.region,
            userArn: plan.userArn,
            ...(grantsBucketAccess(config) ? { bucket: plan.bucketName } : {}),
            timeoutMs: config.verifyTimeoutSeconds * 1000
        }),
        aws.iam.tagUser(plan.userName, [
            { key: observe/* PENDING_KEY_TAG */.DU, value: [...leftovers.map(r => r.keyId), key.id].join(' ') }
        ])
    ]);
    if (verified.status === 'fulfilled' && verified.value.ok && marked.status === 'fulfilled') {
        const { attempts, waitedMs } = verified.value;
        ctx.log.info(`The new key works (after ${attempts} attempt(s), ${waitedMs} ms).`);
        return verified.value;
    }
    const why = verified.status === 'fulfilled' && !verified.value.ok
        ? 'it never worked'
        : 'it could not be recorded as pending';
    const deleted = await deleteNewKey(ctx, key.id, why);
    if (deleted)
        await unmarkPending(ctx, clear);
    const fate = deleted ? 'it was deleted' : 'it could not be deleted (see the warning above)';
    if (verified.status === 'rejected')
        throw verified.reason;
    if (!verified.value.ok)
        throw new errors/* ActionError */.lZ('KEY_NOT_VERIFIED', `The new access key did not work within ${config.verifyTimeoutSeconds}s (last error: ${verified.value.lastError}); ${fate} and no secret was changed.`, 'run again; if it persists, raise verify-timeout-seconds or check SCPs and the permissions boundary that may deny the user.');
    const cause = marked.reason;
    const base = cause instanceof errors/* ActionError */.lZ
        ? cause
        : new errors/* ActionError */.lZ('AWS_CALL_FAILED', (0,src_outcome/* errorText */.k)(cause), 'run the step again.');
    throw new errors/* ActionError */.lZ(base.code, `${base.message} The new key could not be recorded as pending on the user, so ${fate} and no secret was changed.`, base.remedy, { cause });
}
/**
 * Every destination holds the new key: retire the key it replaces and unfinished runs' keys, and
 * meanwhile remove the marker tags (the new key is no longer pending). A leftover key that cannot
 * be deleted is recorded as pending again afterwards, for the next run.
 */
async function retire(ctx, keyPlan, outcome, clear) {
    const user = ctx.plan.userName;
    const leftovers = keyPlan.deleteAfter ?? [];
    const replaces = keyPlan.replaces;
    clear.add(observe/* PENDING_KEY_TAG */.DU);
    const [old, , ...gone] = await Promise.allSettled([
        replaces ? retireOldKey(ctx, replaces.keyId, replaces.disposal) : undefined,
        clearTags(ctx, clear),
        ...leftovers.map(r => ctx.aws.iam.deleteAccessKey(user, r.keyId))
    ]);
    const kept = leftovers.filter((r, i) => {
        const deleted = gone[i]?.status === 'fulfilled';
        if (deleted)
            ctx.log.info(`Deleted access key ${r.keyId}: ${r.why}.`);
        return !deleted;
    });
    if (kept.length > 0) {
        const ids = kept.map(r => r.keyId).join(' ');
        ctx.log.warning(`Access key ${ids} could not be deleted; the next run deletes it.`);
        await ctx.aws.iam
            .tagUser(user, [{ key: observe/* PENDING_KEY_TAG */.DU, value: ids }])
            .catch((e) => ctx.log.warning(`Could not record ${ids} as pending (${(0,src_outcome/* errorText */.k)(e)}).`));
    }
    if (!replaces)
        return;
    outcome.rotated = true;
    outcome.oldKeyId = replaces.keyId;
    if (old?.status === 'fulfilled' && old.value)
        outcome.oldKeyResult = old.value;
    if (old?.status !== 'rejected')
        return;
    outcome.oldKeyResult = 'kept-active';
    throw new src_outcome/* PartialWriteError */.v(`Every destination holds the new key ${outcome.keyId ?? ''}, but the old key ${replaces.keyId} could not be ${replaces.disposal === 'delete' ? 'deleted or deactivated' : 'deactivated'} (${(0,src_outcome/* errorText */.k)(old.reason)}): it is still active, and no secret refers to it.`, outcome, {
        code: 'AWS_CALL_FAILED',
        remedy: `${replaces.disposal === 'delete' ? 'delete' : 'deactivate'} access key ${replaces.keyId} of ${user} in IAM (or run again with rotate and current-access-key-id, which removes it).`
    });
}
/**
 * Retires the replaced key per `old-key`. A key that cannot be deleted is deactivated instead, so
 * that it never stays usable; the next rotation deletes inactive keys first.
 */
async function retireOldKey(ctx, keyId, disposal) {
    const user = ctx.plan.userName;
    let result = 'kept';
    if (disposal === 'delete') {
        try {
            await ctx.aws.iam.deleteAccessKey(user, keyId);
            result = 'deleted';
        }
        catch (e) {
            await ctx.aws.iam.deactivateAccessKey(user, keyId);
            ctx.log.warning(`Old access key ${keyId} could not be deleted (${(0,src_outcome/* errorText */.k)(e)}); it was deactivated instead, and the next rotation deletes it.`);
            return 'deactivated';
        }
    }
    if (disposal === 'deactivate') {
        await ctx.aws.iam.deactivateAccessKey(user, keyId);
        result = 'deactivated';
    }
    ctx.log.info(`Old access key ${keyId}: ${result}.`);
    return result;
}

// EXTERNAL MODULE: ./src/prefetch.ts
var prefetch = __webpack_require__(3084);
// EXTERNAL MODULE: ./src/github/errors.ts
var github_errors = __webpack_require__(3116);
// EXTERNAL MODULE: ./src/slots.ts
var slots = __webpack_require__(1302);
;// CONCATENATED MODULE: ./src/write-secrets.ts





function write_secrets_valueOf(field, plan, key) {
    switch (field) {
        case 'accessKeyId':
            return key?.id ?? '';
        case 'secretAccessKey':
            return key?.secret ?? '';
        case 'region':
            return plan.region;
        case 'bucket':
            return plan.bucketName;
    }
}
/** Seals and writes every planned secret and variable of every destination, all at once. */
async function writeAll(ctx, key) {
    const seal = ctx.plan.writes.some(w => w.secrets.length > 0) ? await sealer() : undefined;
    // A few destinations at a time, in order: each one's writes then queue together in the GitHub
    // client's write pacer, so a destination's secret access key follows its key id closely even
    // when hundreds of writes are paced, instead of after every other destination's first writes.
    const destinations = new slots/* Slots */.W(DESTINATIONS_IN_FLIGHT);
    return Promise.all(ctx.plan.writes.map((write, i) => destinations.run(() => writeDestination(ctx, write, ctx.observed[i], key, seal))));
}
/** Destinations written at once: enough to keep the client's four write slots busy. */
const DESTINATIONS_IN_FLIGHT = 4;
async function writeDestination(ctx, write, observed, key, seal) {
    const { plan, config, github } = ctx;
    const d = write.destination;
    const selectedIds = d.kind === 'organization' ? ctx.selectedRepositoryIds[d.org] : undefined;
    const result = {
        destination: d,
        written: [],
        failed: [],
        restored: [],
        uncertain: []
    };
    const putSecret = (field, value = write_secrets_valueOf(field, plan, key)) => github.putSecret(d, config.names[field], seal(value, observed.publicKey.key), observed.publicKey.keyId, selectedIds);
    /**
     * Runs one write and records how it went; never throws. A secret GitHub gave no answer for is
     * read back: it may have been written all the same.
     */
    const attempt = async (name, run, secret = false) => {
        try {
            await run();
            result.written.push(name);
            return true;
        }
        catch (e) {
            const landed = secret && (0,github_errors/* isUnanswered */.N)(e) ? await secretLanded(ctx, d, name, observed) : 'no';
            if (landed === 'yes') {
                ctx.log.info(`${(0,destinations/* describe */.q)(d)}: ${name} was written, though GitHub's answer was lost.`);
                result.written.push(name);
                return true;
            }
            result.failed.push({ name, error: (0,src_outcome/* errorText */.k)(e) });
            if (landed === 'unknown')
                result.uncertain.push(name);
            return false;
        }
    };
    const others = [
        ...write.secrets
            .filter(field => !KEY_FIELDS.includes(field))
            .map(field => attempt(config.names[field], () => putSecret(field), true)),
        ...write.access.map(field => attempt(config.names[field], () => github.putSecretAccess(d, config.names[field], selectedIds))),
        ...write.variables.map(v => attempt(config.names[v.field], () => github.putVariable(d, config.names[v.field], write_secrets_valueOf(v.field, plan, key), v.exists, selectedIds)))
    ];
    const pair = write.secrets.includes('accessKeyId')
        ? writeKeyPair(ctx, observed, key, putSecret, attempt, result)
        : undefined;
    await Promise.all([pair, ...others]);
    return result;
}
const KEY_FIELDS = ['accessKeyId', 'secretAccessKey'];
/**
 * Whether a secret write GitHub did not answer took effect: its updated_at has moved from the one
 * listed at the start of the run ('no' when it stayed, or the secret is still missing). 'unknown'
 * when it cannot be read, or where the list was not read (a new user's many destinations). A
 * secret written twice within one second (GitHub's timestamps are whole seconds) reads as 'no'.
 */
async function secretLanded(ctx, d, name, observed) {
    let now;
    try {
        now = await ctx.github.secretUpdatedAt(d, name);
    }
    catch (e) {
        ctx.log.debug(`${(0,destinations/* describe */.q)(d)}: could not read back ${name}: ${(0,src_outcome/* errorText */.k)(e)}`);
        return 'unknown';
    }
    if (now === undefined)
        return 'no';
    const before = observed.secretsUpdatedAt;
    if (!before)
        return 'unknown';
    return now !== before[name] ? 'yes' : 'no';
}
/**
 * Where the destination holds a pair of the key being replaced: the id first, then the secret. If
 * the id cannot be written the secret is left alone, and if the secret cannot be written the id is
 * put back (a secret cannot be: GitHub never gives it back), so the destination keeps a working
 * pair. That costs a round trip; a destination with no such pair has nothing to keep working, so
 * both are written at once.
 */
async function writeKeyPair(ctx, observed, key, putSecret, attempt, result) {
    const { accessKeyId: idName, secretAccessKey: secretName } = ctx.config.names;
    const writeId = () => attempt(idName, () => putSecret('accessKeyId'), true);
    const writeSecret = () => attempt(secretName, () => putSecret('secretAccessKey'), true);
    const previous = ctx.plan.key.action === 'create' ? ctx.plan.key.replaces?.keyId : undefined;
    if (!previous || !observed.secretNames.includes(idName)) {
        await Promise.all([writeId(), writeSecret()]);
        return;
    }
    const where = (0,destinations/* describe */.q)(result.destination);
    /** The id back to the key whose secret the destination still holds. */
    const putBack = async (since) => {
        try {
            await putSecret('accessKeyId', previous);
            result.written = result.written.filter(n => n !== idName);
            result.uncertain = result.uncertain.filter(n => n !== idName);
            result.restored.push(idName);
            ctx.log.info(`${where}: ${idName} put back to ${previous}, since ${since}.`);
        }
        catch (e) {
            const holds = result.uncertain.includes(idName) ? 'may hold' : 'holds';
            ctx.log.warning(`${where}: ${idName} ${holds} the new key ${key?.id ?? ''} and could not be put back to ${previous} (${(0,src_outcome/* errorText */.k)(e)}).`);
        }
    };
    if (!(await writeId())) {
        result.failed.push({ name: secretName, error: `not written, since ${idName} failed` });
        // GitHub may have taken the new id without saying so: make sure it holds the old one.
        if (result.uncertain.includes(idName))
            await putBack(`GitHub did not confirm ${idName}`);
        return;
    }
    if (await writeSecret())
        return;
    await putBack(`${secretName} failed`);
}

;// CONCATENATED MODULE: ./src/execute.ts






async function execute(ctx) {
    const timings = {};
    const timed = async (name, work) => {
        const start = Date.now();
        try {
            return await work;
        }
        finally {
            timings[name] = Date.now() - start;
        }
    };
    // Marker tags this run removes from the user at its end, whatever happens.
    const clear = new Set();
    try {
        const userReady = timed('user', ensureUser(ctx));
        const bucketReady = timed('bucket', ensureBucket(ctx));
        const grantsReady = userReady.then(() => timed('grants', applyGrants(ctx)));
        const keyReady = userReady.then(() => timed('key', prepareKey(ctx, clear)));
        // libsodium loads while these calls are in flight, not once the key is verified.
        if (ctx.plan.writes.some(w => w.secrets.length > 0))
            (0,prefetch/* afterRequestsSent */.H)(() => void sealer().catch(() => undefined));
        const [, , , prepared] = await settleAll([userReady, bucketReady, grantsReady, keyReady], ctx, keyReady);
        const outcome = {
            keyCreated: prepared.key !== undefined,
            rotated: false,
            removedKeys: prepared.removed,
            writes: [],
            timingsMs: timings
        };
        if (prepared.key) {
            outcome.keyId = prepared.key.id;
            outcome.verification = await timed('verify', verifyAndMark(ctx, prepared.key, clear));
        }
        else if (ctx.plan.key.action !== 'create') {
            outcome.keyId = ctx.plan.key.keyId;
        }
        outcome.writes = await timed('secrets', writeAll(ctx, prepared.key));
        await finishWrites(ctx, prepared.key, outcome, clear);
        return outcome;
    }
    finally {
        await clearTags(ctx, clear);
    }
}
/**
 * Waits for every phase. If one fails after a new key was made, the key is deleted again so that
 * no key is left that nothing refers to.
 */
async function settleAll(phases, ctx, keyReady) {
    const results = await Promise.allSettled(phases);
    const failure = results.find(r => r.status === 'rejected');
    if (!failure)
        return results.map(r => r.value);
    const key = await keyReady.catch(() => undefined);
    if (key?.key)
        await deleteNewKey(ctx, key.key.id, 'another step failed');
    throw failure.reason;
}
async function ensureUser({ plan, aws }) {
    const user = plan.user;
    if (user.action === 'create') {
        await aws.iam.createUser({
            userName: plan.userName,
            path: user.path,
            tags: user.tags,
            ...(user.permissionsBoundary ? { permissionsBoundary: user.permissionsBoundary } : {})
        });
        return;
    }
    await Promise.all([
        user.tagsToAdd.length > 0 ? aws.iam.tagUser(plan.userName, user.tagsToAdd) : undefined,
        user.setPermissionsBoundary
            ? aws.iam.setPermissionsBoundary(plan.userName, user.setPermissionsBoundary)
            : undefined
    ]);
}
async function ensureBucket({ plan, aws }) {
    const bucket = plan.bucket;
    if (bucket.action === 'create') {
        await aws.s3.createBucket(plan.bucketName, plan.region);
        await aws.s3.harden(plan.bucketName, plan.partition, bucket.tags);
    }
    else if (bucket.tagsToSet) {
        await aws.s3.setTags(plan.bucketName, bucket.tagsToSet);
    }
}
async function applyGrants({ plan, aws }) {
    const g = plan.grants;
    const user = plan.userName;
    await Promise.all([
        g.putInline ? aws.iam.putInlinePolicy(user, g.putInline.name, g.putInline.document) : undefined,
        ...g.deleteInline.map(name => aws.iam.deleteInlinePolicy(user, name)),
        ...g.attach.map(arn => aws.iam.attachPolicy(user, arn)),
        ...g.detach.map(arn => aws.iam.detachPolicy(user, arn))
    ]);
}
/**
 * After the writes. Every destination holds the new pair: retire the key it replaces. None holds
 * any of it: delete the new key. Some do: keep both keys active, leave the new key marked as
 * pending (the next run replaces it everywhere), and say which secret holds which key.
 */
async function finishWrites(ctx, key, outcome, clear) {
    const { plan, config } = ctx;
    const failures = outcome.writes.filter(w => w.failed.length > 0);
    if (!key || plan.key.action !== 'create') {
        if (failures.length > 0)
            throw partialWrite(outcome, 'Some values were not written.');
        return;
    }
    const keyPlan = plan.key;
    const keyNames = [config.names.accessKeyId, config.names.secretAccessKey];
    const replaces = keyPlan.replaces;
    if (outcome.writes.every(w => keyNames.every(n => w.written.includes(n)))) {
        await retire(ctx, keyPlan, outcome, clear);
        if (failures.length > 0)
            throw partialWrite(outcome, 'Every destination holds the new key, but some values were not written.');
        return;
    }
    // A secret GitHub did not confirm either way may refer to the new key: it stays.
    const mayReferToKey = (w) => keyNames.some(n => w.written.includes(n) || w.uncertain.includes(n));
    if (!outcome.writes.some(mayReferToKey)) {
        const deleted = await deleteNewKey(ctx, key.id, 'no secret refers to it');
        if (deleted) {
            await unmarkPending(ctx, clear);
            outcome.keyCreated = false;
            if (replaces)
                outcome.keyId = replaces.keyId;
            else
                delete outcome.keyId;
        }
        throw partialWrite(outcome, `No secret holds the new key ${key.id}, so it was ${deleted ? 'deleted' : 'left for the next run to delete'}; the destinations still hold ${replaces ? `key ${replaces.keyId}` : 'what they held before'}.`);
    }
    if (replaces) {
        outcome.oldKeyResult = 'kept-active';
        outcome.oldKeyId = replaces.keyId;
    }
    throw partialWrite(outcome, `Some secrets were not written; ${replaces ? `both keys (${replaces.keyId}, ${key.id}) stay active` : `key ${key.id} stays active`} and ${key.id} stays marked as pending on the user, so that the next run replaces it everywhere. ${holdings(outcome, ctx, key.id, replaces?.keyId)}`);
}
/** Which key each key secret of each destination holds after a partial write. */
function holdings(outcome, ctx, newKeyId, oldKeyId) {
    const { accessKeyId: idName, secretAccessKey: secretName } = ctx.config.names;
    return outcome.writes
        .map((w, i) => {
        // What a secret not written holds: the replaced key where the destination held that
        // secret; otherwise whatever it held, if anything (a new user's secrets are not listed).
        const old = (name) => oldKeyId !== undefined && ctx.observed[i]?.secretNames.includes(name) ? oldKeyId : undefined;
        const idOld = old(idName);
        const secretOld = old(secretName);
        const either = (now, before) => `may hold ${now} or ${before} (GitHub did not confirm the write)`;
        const id = w.written.includes(idName)
            ? `holds ${newKeyId}`
            : w.uncertain.includes(idName)
                ? either(newKeyId, idOld ?? 'nothing')
                : idOld
                    ? `holds ${idOld}${w.restored.includes(idName) ? ' (put back)' : ''}`
                    : 'was not written';
        const secret = w.written.includes(secretName)
            ? `holds the secret of ${newKeyId}`
            : w.uncertain.includes(secretName)
                ? either(`the secret of ${newKeyId}`, secretOld ? `the secret of ${secretOld}` : 'nothing')
                : secretOld
                    ? `holds the secret of ${secretOld}`
                    : 'was not written';
        return `${(0,destinations/* describe */.q)(w.destination)}: ${idName} ${id}, ${secretName} ${secret}.`;
    })
        .join(' ');
}
function partialWrite(outcome, summary) {
    const failed = outcome.writes
        .filter(w => w.failed.length > 0)
        .map(w => `${(0,destinations/* describe */.q)(w.destination)}: ${w.failed.map(f => f.name).join(', ')} failed (${w.failed[0].error})`)
        .join('; ');
    return new src_outcome/* PartialWriteError */.v(`${summary} Failed: ${failed}.`, outcome);
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

//# sourceMappingURL=632.index.js.map