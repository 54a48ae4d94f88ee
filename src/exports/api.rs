//! `golem:examples/api`: get and set by bucket name.

use super::bindings::exports::golem::examples::api::Guest;
use super::{Component, with_store};

impl Guest for Component {
    /// Reading a bucket that was never written does not create it. `get` has no error result:
    /// if memory for the copy of the value cannot be reserved, the component traps rather than
    /// answer `none` for a key that exists (the other interfaces return an error).
    fn get(bucket: String, key: String) -> Option<Vec<u8>> {
        with_store(|store| {
            let id = store.find(&bucket)?;
            store
                .get_copy(id, &key)
                .unwrap_or_else(|error| panic!("golem:examples/api.get: {error}"))
        })
    }

    /// `set` has no error result: a write a limit refuses is not applied, and the store is
    /// unchanged (no bucket is created for it). Callers that need the reason use
    /// `wasi:keyvalue/store`.
    fn set(bucket: String, key: String, value: Vec<u8>) {
        with_store(|store| {
            let _refused = store.write_to(&bucket, |store, id| store.set(id, &key, value));
        });
    }
}
