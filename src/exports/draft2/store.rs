//! `wasi:keyvalue/store@0.2.0-draft2`: the draft's buckets, with string cursors.

use crate::exports::Component;
use crate::exports::bindings::exports::wasi::keyvalue0_2_0_draft2::store::{
    Bucket, Error, Guest, GuestBucket, KeyResponse,
};
use crate::exports::bucket::{BucketHandle, shared_by_both_drafts};

shared_by_both_drafts!(error conversion and open);

impl GuestBucket for BucketHandle {
    shared_by_both_drafts!(bucket methods);

    /// The cursor is the last key of the previous page: no state is kept between pages, and a
    /// listing resumes right after the cursor whether or not it is still a key.
    fn list_keys(&self, cursor: Option<String>) -> Result<KeyResponse, Error> {
        let (keys, cursor) =
            self.with(|store, id| store.list_keys_after(id, cursor.as_deref()))??;
        Ok(KeyResponse { keys, cursor })
    }
}
