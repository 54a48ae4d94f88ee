//! `golem:examples/api`: get and set by bucket name.

use super::bindings::exports::golem::examples::api::Guest;
use super::{Component, with_store};

impl Guest for Component {
    /// Reading a bucket that was never written does not create it.
    fn get(bucket: String, key: String) -> Option<Vec<u8>> {
        with_store(|store| {
            let id = store.find(&bucket)?;
            store.get(id, &key).map(<[u8]>::to_vec)
        })
    }

    fn set(bucket: String, key: String, value: Vec<u8>) {
        with_store(|store| {
            let id = store.open(&bucket);
            store.set(id, &key, value);
        });
    }
}
