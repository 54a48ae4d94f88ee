//! `wasi:keyvalue/store@0.2.0-draft2`: the draft's buckets, with string cursors.

use crate::engine::{self, BucketHandle};
use crate::exports::Component;
use crate::exports::bindings::exports::wasi::keyvalue0_2_0_draft2::store::{
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

    /// The cursor is the last key of the previous page: no state is kept between pages, and a
    /// listing resumes right after the cursor whether or not it is still a key.
    fn list_keys(&self, cursor: Option<String>) -> Result<KeyResponse, Error> {
        let (keys, cursor) = engine::Bucket::list_keys_after(self, cursor.as_deref())?;
        Ok(KeyResponse { keys, cursor })
    }
}
