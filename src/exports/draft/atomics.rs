//! `wasi:keyvalue/atomics@0.2.0-draft`: counters stored as decimal ASCII.

use crate::engine::{Bucket as _, BucketHandle};
use crate::exports::Component;
use crate::exports::bindings::exports::wasi::keyvalue0_2_0_draft::atomics::Guest;
use crate::exports::bindings::exports::wasi::keyvalue0_2_0_draft::store::{BucketBorrow, Error};

impl Guest for Component {
    /// A missing key counts as 0; a value that is not a decimal u64, or an overflow, is an error.
    fn increment(bucket: BucketBorrow<'_>, key: String, delta: u64) -> Result<u64, Error> {
        Ok(bucket.get::<BucketHandle>().increment(&key, delta)?)
    }
}
