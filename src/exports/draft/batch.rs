//! `wasi:keyvalue/batch@0.2.0-draft`: many keys per call, applied in order.

use crate::exports::Component;
use crate::exports::bindings::exports::wasi::keyvalue0_2_0_draft::batch::Guest;
use crate::exports::bindings::exports::wasi::keyvalue0_2_0_draft::store::{BucketBorrow, Error};
use crate::exports::bucket::{BucketHandle, shared_by_both_drafts};

impl Guest for Component {
    fn get_many(
        bucket: BucketBorrow<'_>,
        keys: Vec<String>,
    ) -> Result<Vec<Option<(String, Vec<u8>)>>, Error> {
        let bucket = bucket.get::<BucketHandle>();
        let found = bucket.with(|store, id| store.get_many(id, keys))??;
        Ok(found
            .into_iter()
            .map(|(key, value)| value.map(|value| (key, value)))
            .collect())
    }

    shared_by_both_drafts!(batch writes);
}
