//! `wasi:keyvalue/batch@0.2.0-draft2`: the draft's batches; `get-many` answers every key.

use crate::exports::Component;
use crate::exports::bindings::exports::wasi::keyvalue0_2_0_draft2::batch::Guest;
use crate::exports::bindings::exports::wasi::keyvalue0_2_0_draft2::store::{BucketBorrow, Error};
use crate::exports::bucket::{BucketHandle, shared_by_both_drafts};
use crate::store;

impl Guest for Component {
    /// One `(key, value)` per requested key, in request order, `none` for a missing key.
    fn get_many(
        bucket: BucketBorrow<'_>,
        keys: Vec<String>,
    ) -> Result<Vec<(String, Option<Vec<u8>>)>, Error> {
        let bucket = bucket.get::<BucketHandle>();
        let found = bucket.with(|store, id| {
            let mut found = Vec::new();
            found
                .try_reserve_exact(keys.len())
                .map_err(|_| store::Error::OutOfMemory("a get-many answer"))?;
            for key in keys {
                let value = store.get_copy(id, &key)?;
                found.push((key, value));
            }
            Ok::<_, store::Error>(found)
        })??;
        Ok(found)
    }

    shared_by_both_drafts!(batch writes);
}
