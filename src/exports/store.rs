//! `wasi:keyvalue/store@0.2.0-draft`: buckets as resources.

use std::cell::Cell;

use super::bindings::exports::wasi::keyvalue::store::{
    Bucket, Error, Guest, GuestBucket, KeyResponse,
};
use super::{Component, with_store};
use crate::store::{self, BucketId, Store};

/// The exported `bucket` resource: which bucket of the store it names. Handles share the
/// bucket's data; dropping one changes nothing in the store. A handle names its bucket by
/// identifier: after a snapshot is loaded it reaches the bucket of that identifier in the
/// loaded store (created empty if the snapshot has none).
pub struct BucketHandle {
    identifier: Box<str>,
    /// The bucket, and the store generation in which that id is valid.
    id: Cell<(BucketId, u64)>,
}

impl BucketHandle {
    /// Run `f` on the store and this handle's bucket, finding the bucket again by identifier if
    /// a snapshot was loaded since the handle last looked.
    pub(super) fn with<R>(&self, f: impl FnOnce(&mut Store, BucketId) -> R) -> Result<R, Error> {
        with_store(|store| {
            let (mut id, generation) = self.id.get();
            if generation != store.generation() {
                id = store.open(&self.identifier)?;
                self.id.set((id, store.generation()));
            }
            Ok(f(store, id))
        })
    }
}

/// The one conversion from the core's error to the draft's `error` (shared by `atomics` and
/// `batch`). memkv never produces `no-such-store` or `access-denied`.
impl From<store::Error> for Error {
    fn from(error: store::Error) -> Self {
        Error::Other(error.to_string())
    }
}

impl Guest for Component {
    type Bucket = BucketHandle;

    fn open(identifier: String) -> Result<Bucket, Error> {
        let id = with_store(|store| {
            Ok::<_, store::Error>((store.open(&identifier)?, store.generation()))
        })?;
        Ok(Bucket::new(BucketHandle {
            identifier: identifier.into(),
            id: Cell::new(id),
        }))
    }
}

impl GuestBucket for BucketHandle {
    fn get(&self, key: String) -> Result<Option<Vec<u8>>, Error> {
        self.with(|store, id| store.get(id, &key).map(<[u8]>::to_vec))
    }

    fn set(&self, key: String, value: Vec<u8>) -> Result<(), Error> {
        Ok(self.with(|store, id| store.set(id, &key, value))??)
    }

    fn delete(&self, key: String) -> Result<(), Error> {
        self.with(|store, id| {
            store.delete(id, &key);
        })
    }

    fn exists(&self, key: String) -> Result<bool, Error> {
        self.with(|store, id| store.exists(id, &key))
    }

    fn list_keys(&self, cursor: Option<u64>) -> Result<KeyResponse, Error> {
        let page = self.with(|store, id| store.list_keys(id, cursor))??;
        Ok(KeyResponse {
            keys: page.keys,
            cursor: page.cursor,
        })
    }
}
