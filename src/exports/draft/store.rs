//! `wasi:keyvalue/store@0.2.0-draft`: buckets as resources.

use crate::engine::{self, BucketHandle};
use crate::exports::Component;
use crate::exports::bindings::exports::wasi::keyvalue0_2_0_draft::store::{
    Bucket, Error, Guest, GuestBucket, KeyResponse,
};
use crate::store;

/// The one conversion from the core's error to this draft's `error` (its `atomics` and `batch`
/// use it too). memkv never produces `no-such-store` or `access-denied`.
impl From<store::Error> for Error {
    fn from(error: store::Error) -> Self {
        Error::Other(error.to_string())
    }
}

impl Guest for Component {
    type Bucket = BucketHandle;

    /// Any identifier; the bucket is created on first use.
    fn open(identifier: String) -> Result<Bucket, Error> {
        Ok(Bucket::new(<BucketHandle as engine::Bucket>::open(
            identifier,
        )?))
    }
}

impl GuestBucket for BucketHandle {
    fn get(&self, key: String) -> Result<Option<Vec<u8>>, Error> {
        Ok(engine::Bucket::get(self, &key)?)
    }

    fn set(&self, key: String, value: Vec<u8>) -> Result<(), Error> {
        Ok(engine::Bucket::set(self, &key, value)?)
    }

    fn delete(&self, key: String) -> Result<(), Error> {
        Ok(engine::Bucket::delete(self, &key)?)
    }

    fn exists(&self, key: String) -> Result<bool, Error> {
        Ok(engine::Bucket::exists(self, &key)?)
    }

    /// Numbered cursors, remembered by the store (the most recent 256).
    fn list_keys(&self, cursor: Option<u64>) -> Result<KeyResponse, Error> {
        let page = engine::Bucket::list_keys(self, cursor)?;
        Ok(KeyResponse {
            keys: page.keys,
            cursor: page.cursor,
        })
    }
}
