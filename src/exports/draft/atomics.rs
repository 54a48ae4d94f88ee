//! `wasi:keyvalue/atomics@0.2.0-draft`: counters stored as decimal ASCII.

use crate::exports::Component;
use crate::exports::bindings::exports::wasi::keyvalue0_2_0_draft::atomics::Guest;
use crate::exports::bindings::exports::wasi::keyvalue0_2_0_draft::store::{BucketBorrow, Error};
use crate::exports::bucket::BucketHandle;

impl Guest for Component {
    fn increment(bucket: BucketBorrow<'_>, key: String, delta: u64) -> Result<u64, Error> {
        let bucket = bucket.get::<BucketHandle>();
        Ok(bucket.with(|store, id| store.increment(id, &key, delta))??)
    }
}
