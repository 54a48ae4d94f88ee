//! The unversioned `wasi:keyvalue` of Golem's docs (December 2023): `readwrite`, `batch` and
//! `atomic` over the same store, with the value resources of `types` and the error resource of
//! `wasi-cloud-error`. Built only with the `golem` feature (world `memkv:store/memkv-golem`).
//!
//! Values move as `outgoing-value` / `incoming-value` resources. Only their sync bodies are
//! supported: the async bodies are `wasi:io` streams, which only a host can create, so asking
//! for one is an error. A missing key in `readwrite.get` is an error whose `trace()` is exactly
//! `Key not found`, as Golem's host says it and the docs example checks it.

use std::cell::RefCell;

use crate::engine::{Bucket as _, BucketHandle, unanswered};
use crate::exports::Component;
use crate::exports::bindings::exports::wasi::keyvalue::types::{
    self, Bucket, BucketBorrow, IncomingValue, IncomingValueAsyncBody, OutgoingValue,
    OutgoingValueBodyAsync, OutgoingValueBorrow,
};
use crate::exports::bindings::exports::wasi::keyvalue::wasi_cloud_error::{self, Error};
use crate::exports::bindings::exports::wasi::keyvalue::{atomic, batch, readwrite};
use crate::exports::golem_common::{Trace, bodies};
use crate::store;

/// What `trace()` says for a key that does not exist.
const KEY_NOT_FOUND: &str = "Key not found";

/// An `error` resource saying `message`.
fn error(message: impl Into<String>) -> Error {
    Error::new(Trace(message.into()))
}

impl From<store::Error> for Error {
    fn from(error: store::Error) -> Self {
        self::error(error.to_string())
    }
}

impl wasi_cloud_error::Guest for Component {
    type Error = Trace;
}

impl wasi_cloud_error::GuestError for Trace {
    fn trace(&self) -> String {
        self.0.clone()
    }
}

/// The exported `outgoing-value` resource: a body waiting to be written (empty until
/// `outgoing-value-write-body-sync` gives it one).
pub struct Outgoing(RefCell<Vec<u8>>);

/// The exported `incoming-value` resource: a copy of the value read.
pub struct Incoming(Vec<u8>);

impl types::Guest for Component {
    type Bucket = BucketHandle;
    type OutgoingValue = Outgoing;
    type IncomingValue = Incoming;
}

impl types::GuestBucket for BucketHandle {
    fn open_bucket(name: String) -> Result<Bucket, Error> {
        Ok(Bucket::new(BucketHandle::open(name)?))
    }
}

impl types::GuestOutgoingValue for Outgoing {
    fn new_outgoing_value() -> OutgoingValue {
        OutgoingValue::new(Outgoing(RefCell::new(Vec::new())))
    }

    fn outgoing_value_write_body_async(&self) -> Result<OutgoingValueBodyAsync, Error> {
        Err(error(
            "outgoing-value-write-body-async is not supported: memkv cannot create wasi:io \
             streams; use outgoing-value-write-body-sync",
        ))
    }

    fn outgoing_value_write_body_sync(&self, value: Vec<u8>) -> Result<(), Error> {
        *self.0.borrow_mut() = value;
        Ok(())
    }
}

impl types::GuestIncomingValue for Incoming {
    fn incoming_value_consume_sync(&self) -> Result<Vec<u8>, Error> {
        Ok(store::copy(&self.0)?)
    }

    fn incoming_value_consume_async(&self) -> Result<IncomingValueAsyncBody, Error> {
        Err(error(
            "incoming-value-consume-async is not supported: memkv cannot create wasi:io \
             streams; use incoming-value-consume-sync",
        ))
    }

    fn size(&self) -> u64 {
        self.0.len() as u64
    }
}

/// The body an `outgoing-value` holds, copied out (the value resource may be written again).
fn body(value: &OutgoingValueBorrow<'_>) -> Result<Vec<u8>, store::Error> {
    store::copy(&value.get::<Outgoing>().0.borrow())
}

impl readwrite::Guest for Component {
    fn get(bucket: BucketBorrow<'_>, key: String) -> Result<IncomingValue, Error> {
        match bucket.get::<BucketHandle>().get(&key)? {
            Some(value) => Ok(IncomingValue::new(Incoming(value))),
            None => Err(error(KEY_NOT_FOUND)),
        }
    }

    fn set(
        bucket: BucketBorrow<'_>,
        key: String,
        outgoing_value: OutgoingValueBorrow<'_>,
    ) -> Result<(), Error> {
        let value = body(&outgoing_value)?;
        Ok(bucket.get::<BucketHandle>().set(&key, value)?)
    }

    /// Deleting a missing key is not an error.
    fn delete(bucket: BucketBorrow<'_>, key: String) -> Result<(), Error> {
        Ok(bucket.get::<BucketHandle>().delete(&key)?)
    }

    fn exists(bucket: BucketBorrow<'_>, key: String) -> Result<bool, Error> {
        Ok(bucket.get::<BucketHandle>().exists(&key)?)
    }
}

impl batch::Guest for Component {
    /// Every value, in request order; an error naming the first missing key if any is missing.
    fn get_many(bucket: BucketBorrow<'_>, keys: Vec<String>) -> Result<Vec<IncomingValue>, Error> {
        let found = bucket.get::<BucketHandle>().get_many(keys)?;
        found
            .into_iter()
            .map(|(key, value)| match value {
                Some(value) => Ok(IncomingValue::new(Incoming(value))),
                None => Err(error(format!(
                    "{KEY_NOT_FOUND}: {}",
                    store::KeyName::from(key.as_str())
                ))),
            })
            .collect()
    }

    /// Every key of the bucket in byte order, in one list: this function has no paging, so the
    /// `page-size` limit does not apply. It has no error result either: if the engine cannot
    /// answer, no keys (`crate::engine`'s one rule).
    fn get_keys(bucket: BucketBorrow<'_>) -> Vec<String> {
        bucket
            .get::<BucketHandle>()
            .all_keys()
            .unwrap_or_else(unanswered)
    }

    /// All of them or, if a limit refuses one, none of them.
    fn set_many(
        bucket: BucketBorrow<'_>,
        key_values: Vec<(String, OutgoingValueBorrow<'_>)>,
    ) -> Result<(), Error> {
        let entries = bodies(key_values, body)?;
        Ok(bucket.get::<BucketHandle>().set_many(entries)?)
    }

    fn delete_many(bucket: BucketBorrow<'_>, keys: Vec<String>) -> Result<(), Error> {
        Ok(bucket.get::<BucketHandle>().delete_many(keys)?)
    }
}

impl atomic::Guest for Component {
    fn increment(bucket: BucketBorrow<'_>, key: String, delta: u64) -> Result<u64, Error> {
        Ok(bucket.get::<BucketHandle>().increment(&key, delta)?)
    }

    /// A missing key is an error (`Key not found`), as is a value that is not a u64 counter.
    fn compare_and_swap(
        bucket: BucketBorrow<'_>,
        key: String,
        old: u64,
        new: u64,
    ) -> Result<bool, Error> {
        bucket
            .get::<BucketHandle>()
            .compare_and_swap_counter(&key, old, new)?
            .ok_or_else(|| error(KEY_NOT_FOUND))
    }
}
