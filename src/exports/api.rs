//! `golem:examples/api`: get and set by bucket name.

use super::Component;
use super::bindings::exports::golem::examples::api::Guest;
use crate::engine::{Active, Engine as _};

impl Guest for Component {
    /// Reading a bucket that was never written does not create it. `get` has no error result:
    /// each engine documents what it answers when it cannot read (the other interfaces return
    /// an error).
    fn get(bucket: String, key: String) -> Option<Vec<u8>> {
        Active::api_get(&bucket, &key)
    }

    /// `set` has no error result: a write a limit refuses is not applied, and the store is
    /// unchanged (no bucket is created for it). Callers that need the reason use
    /// `wasi:keyvalue/store`.
    fn set(bucket: String, key: String, value: Vec<u8>) {
        Active::api_set(&bucket, &key, value);
    }
}
