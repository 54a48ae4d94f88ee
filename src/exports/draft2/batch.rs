//! `wasi:keyvalue/batch@0.2.0-draft2`: the draft's batches; `get-many` answers every key.

use crate::exports::Component;
use crate::exports::bindings::exports::wasi::keyvalue0_2_0_draft2::batch::Guest;
use crate::exports::bindings::exports::wasi::keyvalue0_2_0_draft2::store::{BucketBorrow, Error};
use crate::exports::bucket::{BucketHandle, shared_by_both_drafts};

impl Guest for Component {
    /// One `(key, value)` per requested key, in request order, `none` for a missing key.
    fn get_many(
        bucket: BucketBorrow<'_>,
        keys: Vec<String>,
    ) -> Result<Vec<(String, Option<Vec<u8>>)>, Error> {
        let bucket = bucket.get::<BucketHandle>();
        Ok(bucket.with(|store, id| store.get_many(id, keys))??)
    }

    shared_by_both_drafts!(batch writes);
}
