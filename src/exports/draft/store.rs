//! `wasi:keyvalue/store@0.2.0-draft`: buckets as resources.

use crate::exports::Component;
use crate::exports::bindings::exports::wasi::keyvalue0_2_0_draft::store::{
    Bucket, Error, Guest, GuestBucket, KeyResponse,
};
use crate::exports::bucket::{BucketHandle, shared_by_both_drafts};

shared_by_both_drafts!(error conversion and open);

impl GuestBucket for BucketHandle {
    shared_by_both_drafts!(bucket methods);

    fn list_keys(&self, cursor: Option<u64>) -> Result<KeyResponse, Error> {
        let page = self.with(|store, id| store.list_keys(id, cursor))??;
        Ok(KeyResponse {
            keys: page.keys,
            cursor: page.cursor,
        })
    }
}
