//! `fermyon:spin/key-value@2.0.0`: the store of Spin 2 to 5 (`spin_sdk::key_value` in spin-sdk
//! up to 5.x, still linked by Spin 4), on the same buckets as every other dialect: a store's label
//! is a bucket's identifier, so `open("default")` sees what the drafts' `open("default")` sees.
//!
//! Where Spin's host and memkv differ: Spin opens only the labels its manifest allows
//! (`no-such-store` otherwise); memkv opens any label, creating the bucket on first use, so
//! `no-such-store`, `access-denied` and `store-table-full` are never produced. Spin's host caps
//! one answer at 128 MiB; memkv's `get-keys` answers every key, in byte order.

use crate::engine::{self, BucketHandle};
use crate::exports::Component;
use crate::exports::bindings::exports::fermyon::spin::key_value::{
    Error, Guest, GuestStore, Store,
};
use crate::store;

/// The one conversion from the core's error to Spin's `error`.
impl From<store::Error> for Error {
    fn from(error: store::Error) -> Self {
        Error::Other(error.to_string())
    }
}

impl Guest for Component {
    type Store = BucketHandle;
}

impl GuestStore for BucketHandle {
    /// Any label; the bucket is created on first use.
    fn open(label: String) -> Result<Store, Error> {
        Ok(Store::new(<BucketHandle as engine::Bucket>::open(label)?))
    }

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

    /// Every key in byte order, in one list: the interface has no paging, so the `page-size`
    /// limit does not apply.
    fn get_keys(&self) -> Result<Vec<String>, Error> {
        Ok(engine::Bucket::all_keys(self)?)
    }
}
