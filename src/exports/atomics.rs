//! `wasi:keyvalue/atomics@0.2.0-draft`: counters stored as decimal ASCII.

use super::bindings::exports::wasi::keyvalue::atomics::Guest;
use super::bindings::exports::wasi::keyvalue::store::{BucketBorrow, Error};
use super::store::BucketHandle;
use super::{Component, with_store};

impl Guest for Component {
    fn increment(bucket: BucketBorrow<'_>, key: String, delta: u64) -> Result<u64, Error> {
        let id = bucket.get::<BucketHandle>().id;
        Ok(with_store(|store| store.increment(id, &key, delta))?)
    }
}
