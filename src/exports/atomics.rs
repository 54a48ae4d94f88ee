//! `wasi:keyvalue/atomics@0.2.0-draft`: counters stored as decimal ASCII.

use super::Component;
use super::bindings::exports::wasi::keyvalue::atomics::Guest;
use super::bindings::exports::wasi::keyvalue::store::{BucketBorrow, Error};
use super::store::BucketHandle;

impl Guest for Component {
    fn increment(bucket: BucketBorrow<'_>, key: String, delta: u64) -> Result<u64, Error> {
        let bucket = bucket.get::<BucketHandle>();
        Ok(bucket.with(|store, id| store.increment(id, &key, delta))??)
    }
}
