//! `wasi:keyvalue/store@0.2.0-draft`: buckets as resources.

use super::bindings::exports::wasi::keyvalue::store::{
    Bucket, Error, Guest, GuestBucket, KeyResponse,
};
use super::{Component, with_store};
use crate::store::{self, BucketId};

/// The exported `bucket` resource: which bucket of the store it names. Handles are cheap and
/// share the bucket's data; dropping one changes nothing in the store.
pub struct BucketHandle {
    pub(super) id: BucketId,
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
        let id = with_store(|store| store.open(&identifier))?;
        Ok(Bucket::new(BucketHandle { id }))
    }
}

impl GuestBucket for BucketHandle {
    fn get(&self, key: String) -> Result<Option<Vec<u8>>, Error> {
        Ok(with_store(|store| {
            store.get(self.id, &key).map(<[u8]>::to_vec)
        }))
    }

    fn set(&self, key: String, value: Vec<u8>) -> Result<(), Error> {
        Ok(with_store(|store| store.set(self.id, &key, value))?)
    }

    fn delete(&self, key: String) -> Result<(), Error> {
        with_store(|store| store.delete(self.id, &key));
        Ok(())
    }

    fn exists(&self, key: String) -> Result<bool, Error> {
        Ok(with_store(|store| store.exists(self.id, &key)))
    }

    fn list_keys(&self, cursor: Option<u64>) -> Result<KeyResponse, Error> {
        let page = with_store(|store| store.list_keys(self.id, cursor))?;
        Ok(KeyResponse {
            keys: page.keys,
            cursor: page.cursor,
        })
    }
}
