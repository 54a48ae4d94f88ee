//! `golem:examples/api`: get and set by bucket name.

use super::bindings::exports::golem::examples::api::Guest;
use super::{Component, with_store};

impl Guest for Component {
    /// Reading a bucket that was never written does not create it. `get` has no error result:
    /// if memory for the copy of the value cannot be found, the component traps (as it does
    /// when the canonical ABI cannot allocate an argument) rather than answer `none` for a key
    /// that exists; the other interfaces report it as an error.
    fn get(bucket: String, key: String) -> Option<Vec<u8>> {
        with_store(|store| {
            let id = store.find(&bucket)?;
            store.get(id, &key).map(<[u8]>::to_vec)
        })
    }

    /// `set` has no error result: a write a limit refuses is not applied, and the store is
    /// unchanged. Callers that need the reason use `wasi:keyvalue/store`.
    fn set(bucket: String, key: String, value: Vec<u8>) {
        with_store(|store| {
            let _refused = store
                .open(&bucket)
                .and_then(|id| store.set(id, &key, value));
        });
    }
}
