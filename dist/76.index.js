export const id = 76;
export const ids = [76];
export const modules = {

/***/ 6076:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   escapeHtml: () => (/* binding */ escapeHtml),
/* harmony export */   headline: () => (/* binding */ headline),
/* harmony export */   setOutputs: () => (/* binding */ setOutputs),
/* harmony export */   writeSummary: () => (/* binding */ writeSummary)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6421);
/* harmony import */ var _github_destinations_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(4934);
/* harmony import */ var _describe_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7967);
/** Outputs and the job summary. Only ids, names and ARNs: never the secret access key. */



function setOutputs(plan, outcome) {
    _actions_core__WEBPACK_IMPORTED_MODULE_0__.setOutput('user-arn', plan.userArn);
    _actions_core__WEBPACK_IMPORTED_MODULE_0__.setOutput('bucket-name', plan.bucketName);
    _actions_core__WEBPACK_IMPORTED_MODULE_0__.setOutput('bucket-arn', plan.bucketArn);
    _actions_core__WEBPACK_IMPORTED_MODULE_0__.setOutput('access-key-id', outcome?.keyId ?? (plan.key.action === 'create' ? '' : plan.key.keyId));
    _actions_core__WEBPACK_IMPORTED_MODULE_0__.setOutput('key-created', String(outcome?.keyCreated ?? false));
    _actions_core__WEBPACK_IMPORTED_MODULE_0__.setOutput('rotated', String(outcome?.rotated ?? false));
    _actions_core__WEBPACK_IMPORTED_MODULE_0__.setOutput('old-access-key-id', outcome?.oldKeyId ?? '');
    _actions_core__WEBPACK_IMPORTED_MODULE_0__.setOutput('secrets', secretsWritten(outcome).join(','));
}
function secretsWritten(outcome) {
    return (outcome?.writes ?? []).flatMap(w => w.written).filter(unique);
}
const unique = (v, i, all) => all.indexOf(v) === i;
/** One line that says what happened (or, in a dry run, what would happen). */
function headline(input) {
    const { config, plan, outcome, error } = input;
    if (error)
        return `Failed (${error.code}): ${error.line}`;
    if (!plan || !config)
        return 'Nothing was done.';
    const destinations = plan.writes.length;
    const where = `${destinations} destination${destinations === 1 ? '' : 's'}`;
    if (config.dryRun) {
        const changes = plan.key.action === 'create' || planChangesSomething(plan);
        return changes
            ? 'Dry run: nothing was changed. A run without dry-run would carry out the plan below.'
            : 'Dry run: nothing was changed, and a real run would change nothing either.';
    }
    if (plan.key.action === 'not-due')
        return `Rotation not due: ${plan.key.reason}.`;
    if (outcome?.rotated)
        return `Rotated: new key ${outcome.keyId} stored in ${where}; old key ${(0,_describe_js__WEBPACK_IMPORTED_MODULE_2__/* .oldKeyLine */ .tV)(outcome)}.`;
    if (outcome?.keyCreated)
        return `Created key ${outcome.keyId} and stored it in ${where}.`;
    const written = secretsWritten(outcome);
    if (written.length)
        return `Kept key ${outcome?.keyId}; wrote ${written.join(', ')}.`;
    return planChangesSomething(plan)
        ? `Kept key ${outcome?.keyId ?? ''}; updated the user, bucket or grants as planned.`
        : 'Everything was already in place: nothing changed.';
}
function planChangesSomething(plan) {
    const g = plan.grants;
    return (plan.user.action === 'create' ||
        (plan.user.action === 'reuse' &&
            (plan.user.tagsToAdd.length > 0 || plan.user.setPermissionsBoundary !== undefined)) ||
        plan.bucket.action === 'create' ||
        (plan.bucket.action === 'reuse' && plan.bucket.tagsToSet !== undefined) ||
        g.putInline !== undefined ||
        g.attach.length + g.detach.length + g.deleteInline.length > 0 ||
        plan.writes.some(w => w.secrets.length + w.variables.length > 0));
}
async function writeSummary(input) {
    // Outside a runner (or a harness without file commands) there is nowhere to write to.
    if (!process.env.GITHUB_STEP_SUMMARY) {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__.debug('GITHUB_STEP_SUMMARY is not set: no job summary written.');
        return;
    }
    const { config, plan, outcome } = input;
    const s = _actions_core__WEBPACK_IMPORTED_MODULE_0__.summary;
    s.addHeading(config?.dryRun ? 'S3 credentials: dry run (nothing changed)' : 'S3 credentials', 2);
    s.addRaw(`<p><b>${escapeHtml(headline(input))}</b></p>`, true);
    if (plan && config) {
        s.addHeading('Resources', 3);
        s.addTable([
            [header('Resource'), header('Value')],
            ...[
                ['IAM user', `${plan.userArn} (${plan.user.action === 'create' ? 'new' : 'existing'})`],
                [
                    'Bucket',
                    `${plan.bucketName} in ${plan.region} (${plan.bucket.action === 'create' ? 'new' : 'existing'})`
                ],
                ['Policy', (0,_describe_js__WEBPACK_IMPORTED_MODULE_2__/* .policyLine */ .Dx)(config)],
                ['Access key', keyCell(plan, outcome, config.dryRun)],
                ['Old key', oldKeyCell(plan, outcome, config.dryRun)]
            ].map(row => row.map(escapeHtml))
        ]);
        s.addHeading(config.dryRun ? 'Plan' : 'Plan carried out', 3);
        s.addList((0,_describe_js__WEBPACK_IMPORTED_MODULE_2__/* .planLines */ .HN)(plan, config).map(escapeHtml));
        s.addHeading('Destinations', 3);
        if (outcome)
            s.addTable([
                [header('Destination'), header('Written'), header('Failed')],
                ...outcome.writes.map(w => [
                    (0,_github_destinations_js__WEBPACK_IMPORTED_MODULE_1__/* .describe */ .q)(w.destination),
                    w.written.join(', ') || (w.failed.length > 0 ? 'nothing' : '(nothing needed)'),
                    w.failed.map(f => f.name).join(', ') || '-'
                ].map(escapeHtml))
            ]);
        else
            s.addTable([
                [header('Destination'), header(config.dryRun ? 'Would write' : 'Planned, not written')],
                ...plan.writes.map(w => [
                    (0,_github_destinations_js__WEBPACK_IMPORTED_MODULE_1__/* .describe */ .q)(w.destination),
                    [
                        ...w.secrets.map(f => config.names[f]),
                        ...w.variables.map(v => `${config.names[v.field]} (variable)`)
                    ].join(', ') || '(nothing needed)'
                ].map(escapeHtml))
            ]);
    }
    if (input.warnings.length) {
        s.addHeading('Warnings', 3);
        s.addList(input.warnings.map(escapeHtml));
    }
    const timings = Object.entries(input.timingsMs);
    if (timings.length) {
        s.addHeading('Timings', 3);
        s.addTable([
            [header('Phase'), header('Milliseconds')],
            ...timings.map(([phase, ms]) => [escapeHtml(phase), String(ms)])
        ]);
    }
    await s.write();
}
function header(data) {
    return { data, header: true };
}
function keyCell(plan, outcome, dryRun) {
    const key = plan.key;
    if (outcome?.keyId)
        return `${outcome.keyId} (${outcome.keyCreated ? 'new' : 'kept'})`;
    if (key.action !== 'create')
        return `${key.keyId} (kept)`;
    return dryRun ? 'a new key would be created' : 'none (no key was created)';
}
function oldKeyCell(plan, outcome, dryRun) {
    if (outcome)
        return (0,_describe_js__WEBPACK_IMPORTED_MODULE_2__/* .oldKeyLine */ .tV)(outcome);
    const replaces = plan.key.action === 'create' ? plan.key.replaces : undefined;
    if (!replaces)
        return 'none replaced';
    const verb = { delete: 'deleted', deactivate: 'deactivated', keep: 'kept' }[replaces.disposal];
    return dryRun ? `${replaces.keyId} would be ${verb}` : `${replaces.keyId} (unchanged)`;
}
function escapeHtml(text) {
    return text.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}


/***/ })

};

//# sourceMappingURL=76.index.js.map