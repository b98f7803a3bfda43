export const id = 75;
export const ids = [75];
export const modules = {

/***/ 1075:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   S3: () => (/* binding */ S3)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9855);
/* harmony import */ var _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1552);
/* harmony import */ var _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(4230);
/* harmony import */ var _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(6530);
/* harmony import */ var _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(2959);
/* harmony import */ var _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(4682);
/* harmony import */ var _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(9221);
/* harmony import */ var _policy_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(1237);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9378);
/** The S3 side: find, create and harden the bucket. */



class S3 {
    client;
    constructor(client) {
        this.client = client;
    }
    /**
     * Whether the bucket exists and is ours. HeadBucket with ExpectedBucketOwner answers 403 for a
     * bucket of another account, 404 for a free name, and the region for ours.
     */
    async findBucket(Bucket, accountId, withTags) {
        // The tags are read in the same round trip; they count only if the bucket is ours.
        const tags = withTags
            ? this.bucketTags(Bucket, accountId).then(found => ({ found }), (error) => ({ error }))
            : undefined;
        let region;
        try {
            const head = await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_1__/* .HeadBucketCommand */ .k({ Bucket, ExpectedBucketOwner: accountId }));
            region = head.BucketRegion ?? 'us-east-1';
        }
        catch (e) {
            if ((0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .isNotFound */ .c4)(e) || (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .httpStatus */ .nG)(e) === 404)
                return { state: 'absent' };
            if ((0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .httpStatus */ .nG)(e) === 403 || (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .errorName */ .Is)(e) === 'Forbidden')
                return { state: 'foreign' };
            throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .toAwsError */ .DZ)('s3:ListBucket (HeadBucket)', e);
        }
        const read = tags ? await tags : { found: [] };
        if ('error' in read)
            throw read.error;
        return { state: 'owned', region, tags: read.found };
    }
    /**
     * Whether the name is free, asked without the account id (so before STS has answered): true
     * only on 404. An existing bucket, or any other answer, leaves it to findBucket to say whose it
     * is.
     */
    async isFree(Bucket) {
        try {
            await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_1__/* .HeadBucketCommand */ .k({ Bucket }));
            return false;
        }
        catch (e) {
            return (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .isNotFound */ .c4)(e) || (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .httpStatus */ .nG)(e) === 404;
        }
    }
    async bucketTags(Bucket, ExpectedBucketOwner) {
        try {
            const out = await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_2__/* .GetBucketTaggingCommand */ .f({ Bucket, ExpectedBucketOwner }));
            return (out.TagSet ?? []).map(t => ({ key: t.Key ?? '', value: t.Value ?? '' }));
        }
        catch (e) {
            if ((0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .errorName */ .Is)(e) === 'NoSuchTagSet')
                return [];
            throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .toAwsError */ .DZ)('s3:GetBucketTagging', e);
        }
    }
    /** Creates the bucket with object ownership enforced (ACLs disabled) from the first moment. */
    async createBucket(Bucket, region) {
        const input = {
            Bucket,
            ObjectOwnership: 'BucketOwnerEnforced',
            // us-east-1 is the default location and must not be named as a constraint.
            ...(region === 'us-east-1'
                ? {}
                : { CreateBucketConfiguration: { LocationConstraint: region } })
        };
        await (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .awsCall */ .uF)('s3:CreateBucket', async () => {
            try {
                await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_3__/* .CreateBucketCommand */ .c(input));
            }
            catch (e) {
                // Made (ownership setting included) by the attempt whose answer was lost.
                if (!(0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .madeByLostAttempt */ .W8)(e, 'BucketAlreadyOwnedByYou'))
                    throw e;
            }
        });
    }
    /** Public access blocked, default encryption, TLS-only policy and tags, all at once. */
    async harden(Bucket, partition, tags) {
        await Promise.all([
            (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .awsCall */ .uF)('s3:PutBucketPublicAccessBlock', () => this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_4__/* .PutPublicAccessBlockCommand */ .Z({
                Bucket,
                PublicAccessBlockConfiguration: {
                    BlockPublicAcls: true,
                    IgnorePublicAcls: true,
                    BlockPublicPolicy: true,
                    RestrictPublicBuckets: true
                }
            }))),
            (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .awsCall */ .uF)('s3:PutEncryptionConfiguration', () => this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_5__/* .PutBucketEncryptionCommand */ .i({
                Bucket,
                ServerSideEncryptionConfiguration: {
                    Rules: [
                        {
                            ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
                            BucketKeyEnabled: true
                        }
                    ]
                }
            }))),
            (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .awsCall */ .uF)('s3:PutBucketPolicy', () => this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_6__/* .PutBucketPolicyCommand */ .B({
                Bucket,
                Policy: JSON.stringify((0,_policy_js__WEBPACK_IMPORTED_MODULE_7__/* .tlsOnlyBucketPolicy */ .Y$)(partition, Bucket))
            }))),
            tags.length > 0 ? this.setTags(Bucket, tags) : Promise.resolve()
        ]);
    }
    async setTags(Bucket, tags) {
        await (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .awsCall */ .uF)('s3:PutBucketTagging', () => this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_8__/* .PutBucketTaggingCommand */ .y({
            Bucket,
            Tagging: { TagSet: tags.map(t => ({ Key: t.key, Value: t.value })) }
        })));
    }
}


/***/ })

};

//# sourceMappingURL=75.index.js.map