//! Golem's current `wasi:keyvalue@0.1.0` (golem-rust 3.x, Golem's WASI P3 variant): `eventual`,
//! `eventual-batch` and `cache` over the same buckets as every other dialect, with the value
//! resources of `types` and the error resource of `wasi-keyvalue-error`. Built only with the
//! `golem-p3` feature (world `memkv:store/memkv-golem-p3`).
//!
//! What Golem's host does, memkv does (golem `durable_host/keyvalue`):
//! - `open-bucket` opens any name; the bucket is created on first write.
//! - `outgoing-value-write-body-sync` appends to the body (it may be called again), and `set`
//!   stores the body as it is at that call.
//! - `incoming-value-consume-sync` hands the body over once: a second consume gets an empty
//!   body, and `incoming-value-size` counts what is left.
//! - `get` of a missing key is `ok(none)`; `get-many` answers in request order, `none` for each
//!   missing key; `keys` lists every key (in byte order); `delete` and `delete-many` skip missing
//!   keys.
//! - `cache` lives in the bucket `__golem_wasi_keyvalue_cache`; a TTL is a lifetime, kept by
//!   the engine's clock as wasmCloud's are (`wasmcloud2.rs`). Each operation is done by the call
//!   that starts it; its future's `get` answers what it did (every time it is
//!   asked). `get-or-set` of a missing key gives a `vacancy`; `vacancy-fill` gives an
//!   `outgoing-value` whose body is stored under the key when the guest drops it.
//!
//! Where memkv differs: the two stream bodies, `outgoing-value-write-body-async` and
//! `incoming-value-consume-async`, are refused with an error saying to use the sync body. Both are
//! sync functions in the WIT, and a component's sync function can do nothing after it returns
//! (its task ends there: the component model refuses the `async` lift for a sync function type,
//! "the `async` canonical option requires an async function type") nor wait before it returns.
//! So memkv could neither write the stream `consume-async` returns, nor read the one
//! `write-body-async` is given before a `set` stores the body. Golem's host can: it is not a
//! component.

use std::cell::RefCell;

use wit_bindgen::StreamReader;

use crate::engine::{Bucket as _, BucketHandle};
use crate::exports::Component;
use crate::exports::bindings::exports::wasi::keyvalue0_1_0::cache::{
    self, FutureExistsResult, FutureGetOrSetResult, FutureGetResult, FutureResult, GetOrSetEntry,
    Vacancy,
};
use crate::exports::bindings::exports::wasi::keyvalue0_1_0::types::{
    self, Bucket, BucketBorrow, IncomingValue, OutgoingValue, OutgoingValueBorrow,
};
use crate::exports::bindings::exports::wasi::keyvalue0_1_0::wasi_keyvalue_error::{self, Error};
use crate::exports::bindings::exports::wasi::keyvalue0_1_0::{eventual, eventual_batch};
use crate::exports::golem_common::{Trace, bodies};
use crate::store;

/// The bucket Golem's host keeps `cache` entries in.
const CACHE_BUCKET: &str = "__golem_wasi_keyvalue_cache";

/// An `error` resource saying `message`.
fn error(message: impl Into<String>) -> Error {
    Error::new(Trace(message.into()))
}

impl From<store::Error> for Error {
    fn from(error: store::Error) -> Self {
        self::error(error.to_string())
    }
}

impl wasi_keyvalue_error::Guest for Component {
    type Error = Trace;
}

impl wasi_keyvalue_error::GuestError for Trace {
    fn trace(&self) -> String {
        self.0.clone()
    }
}

/// The exported `outgoing-value` resource: a body being written, and, for one that fills a
/// cache `vacancy`, the key it is stored under when the guest drops it, with its TTL.
pub struct Outgoing {
    body: RefCell<Vec<u8>>,
    fills: Option<(String, Option<u32>)>,
}

/// The exported `incoming-value` resource: the body read, until it is consumed.
pub struct Incoming(RefCell<Vec<u8>>);

impl Incoming {
    fn value(body: Vec<u8>) -> IncomingValue {
        IncomingValue::new(Incoming(RefCell::new(body)))
    }
}

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
        OutgoingValue::new(Outgoing {
            body: RefCell::default(),
            fills: None,
        })
    }

    /// Refused (see the module's page); the stream is dropped unread.
    fn outgoing_value_write_body_async(&self, data: StreamReader<u8>) -> Result<(), Error> {
        drop(data);
        Err(error(
            "outgoing-value-write-body-async is not supported: its bytes could still be on their \
             way when `set` stores the body; use outgoing-value-write-body-sync",
        ))
    }

    /// Appends `value` to the body.
    fn outgoing_value_write_body_sync(&self, value: Vec<u8>) -> Result<(), Error> {
        let mut body = self.body.borrow_mut();
        if body.is_empty() {
            *body = value;
            return Ok(());
        }
        body.try_reserve(value.len())
            .map_err(|_| store::Error::OutOfMemory("an outgoing value's body"))?;
        body.extend_from_slice(&value);
        Ok(())
    }
}

impl Drop for Outgoing {
    /// A vacancy's value is stored when the guest is done writing it. There is no one to tell if
    /// that fails (a limit refuses it): the key stays vacant, which a cache may always be.
    fn drop(&mut self) {
        if let Some((key, ttl_ms)) = &self.fills {
            let body = std::mem::take(self.body.get_mut());
            let _ = cache_set(key, body, *ttl_ms);
        }
    }
}

impl types::GuestIncomingValue for Incoming {
    /// The body; a second consume gets what is left: nothing.
    fn incoming_value_consume_sync(&self) -> Result<Vec<u8>, Error> {
        Ok(std::mem::take(&mut *self.0.borrow_mut()))
    }

    /// Refused (see the module's page); the body stays unconsumed.
    fn incoming_value_consume_async(&self) -> Result<StreamReader<u8>, Error> {
        Err(error(
            "incoming-value-consume-async is not supported: memkv could not write the stream \
             after this call returns; use incoming-value-consume-sync",
        ))
    }

    /// The bytes not consumed yet.
    fn incoming_value_size(&self) -> Result<u64, Error> {
        Ok(self.0.borrow().len() as u64)
    }
}

/// The body an `outgoing-value` holds, copied out (the value resource may be written again).
fn body(value: &OutgoingValueBorrow<'_>) -> Result<Vec<u8>, store::Error> {
    store::copy(&value.get::<Outgoing>().body.borrow())
}

impl eventual::Guest for Component {
    fn get(bucket: BucketBorrow<'_>, key: String) -> Result<Option<IncomingValue>, Error> {
        let value = bucket.get::<BucketHandle>().get(&key)?;
        Ok(value.map(Incoming::value))
    }

    fn set(
        bucket: BucketBorrow<'_>,
        key: String,
        outgoing_value: OutgoingValueBorrow<'_>,
    ) -> Result<(), Error> {
        let value = body(&outgoing_value)?;
        Ok(bucket.get::<BucketHandle>().set(&key, value)?)
    }

    fn delete(bucket: BucketBorrow<'_>, key: String) -> Result<(), Error> {
        Ok(bucket.get::<BucketHandle>().delete(&key)?)
    }

    fn exists(bucket: BucketBorrow<'_>, key: String) -> Result<bool, Error> {
        Ok(bucket.get::<BucketHandle>().exists(&key)?)
    }
}

impl eventual_batch::Guest for Component {
    fn get_many(
        bucket: BucketBorrow<'_>,
        keys: Vec<String>,
    ) -> Result<Vec<Option<IncomingValue>>, Error> {
        let found = bucket.get::<BucketHandle>().get_many(keys)?;
        Ok(found
            .into_iter()
            .map(|(_, value)| value.map(Incoming::value))
            .collect())
    }

    /// Every key of the bucket in byte order, in one list: the function has no paging, so the
    /// `page-size` limit does not apply.
    fn keys(bucket: BucketBorrow<'_>) -> Result<Vec<String>, Error> {
        Ok(bucket.get::<BucketHandle>().all_keys()?)
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

/// What a `cache` operation did, kept for its future's `get`.
pub struct Done<T>(Result<T, store::Error>);

impl<T: Clone> Done<T> {
    fn answer(&self) -> Result<T, Error> {
        self.0.clone().map_err(Error::from)
    }
}

/// The bucket of `cache`, not opened: reading it does not create it.
fn cache_bucket() -> BucketHandle {
    BucketHandle::unopened(CACHE_BUCKET)
}

/// Store `value` under `key` in the cache, for `ttl_ms` if given.
fn cache_set(key: &str, value: Vec<u8>, ttl_ms: Option<u32>) -> Result<(), store::Error> {
    cache_bucket()
        .set_with(key, value, ttl_ms.map(u64::from), false)
        .map(drop)
}

impl cache::Guest for Component {
    type FutureGetResult = Done<Option<Vec<u8>>>;
    type FutureExistsResult = Done<bool>;
    type FutureResult = Done<()>;
    type FutureGetOrSetResult = GetOrSet;
    type Vacancy = Slot;

    fn get(k: String) -> FutureGetResult {
        FutureGetResult::new(Done(cache_bucket().get(&k)))
    }

    fn exists(k: String) -> FutureExistsResult {
        FutureExistsResult::new(Done(cache_bucket().exists(&k)))
    }

    /// With a TTL, the entry is gone from its deadline on (by the engine's clock).
    fn set(k: String, v: OutgoingValueBorrow<'_>, ttl_ms: Option<u32>) -> FutureResult {
        let written = body(&v).and_then(|value| cache_set(&k, value, ttl_ms));
        FutureResult::new(Done(written))
    }

    /// `occupied` with the value, or `vacant` if there is none: memkv does not make other
    /// callers wait for the vacancy to be filled (the interface allows that).
    fn get_or_set(k: String) -> FutureGetOrSetResult {
        let found = cache_bucket().get(&k);
        FutureGetOrSetResult::new(GetOrSet { key: k, found })
    }

    fn delete(k: String) -> FutureResult {
        FutureResult::new(Done(cache_bucket().delete(&k)))
    }
}

impl cache::GuestFutureGetResult for Done<Option<Vec<u8>>> {
    async fn get(&self) -> Result<Option<IncomingValue>, Error> {
        Ok(self.answer()?.map(Incoming::value))
    }
}

impl cache::GuestFutureExistsResult for Done<bool> {
    async fn get(&self) -> Result<bool, Error> {
        self.answer()
    }
}

impl cache::GuestFutureResult for Done<()> {
    async fn get(&self) -> Result<(), Error> {
        self.answer()
    }
}

/// What `get-or-set` found under its key.
pub struct GetOrSet {
    key: String,
    found: Result<Option<Vec<u8>>, store::Error>,
}

impl cache::GuestFutureGetOrSetResult for GetOrSet {
    async fn get(&self) -> Result<GetOrSetEntry, Error> {
        Ok(match self.found.clone()? {
            Some(value) => GetOrSetEntry::Occupied(Incoming::value(value)),
            None => GetOrSetEntry::Vacant(Vacancy::new(Slot(self.key.clone()))),
        })
    }
}

/// The exported `vacancy` resource: a cache key with no value, to be filled.
pub struct Slot(String);

impl cache::GuestVacancy for Slot {
    /// An outgoing value stored under the key, for `ttl_ms` if given, when the guest drops it.
    fn vacancy_fill(&self, ttl_ms: Option<u32>) -> OutgoingValue {
        OutgoingValue::new(Outgoing {
            body: RefCell::default(),
            fills: Some((self.0.clone(), ttl_ms)),
        })
    }
}
