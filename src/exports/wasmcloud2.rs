//! `wasmcloud:keyvalue@0.2.0`: wasmCloud 2.7's store (wash-runtime's default), every function
//! `async`, on the same buckets as every other dialect of the artifact: `open("default")` is the
//! bucket every other dialect opens as `"default"`.
//!
//! - `set` takes `set-options`: `ttl-ms` gives the key a lifetime by the engine's clock (the
//!   wall clock the in-memory async artifacts import, the server's on memkv-redis; any later
//!   write of the key ends it), and `if-not-exists` writes only if the key does not exist
//!   (`precondition-failed` otherwise, value unchanged), atomically on memkv-redis.
//! - `list-keys` lists the keys with a prefix in byte order, a page (the `page-size` limit) at a
//!   time; the cursor is the last key of the page, so a listing survives writes between pages
//!   and gives every key present throughout exactly once. A cursor without the prefix was not
//!   issued by this listing: `invalid-argument`.
//! - `atomics.increment` adds to the signed decimal counter the drafts share.
//! - `cas`: a version is an opaque text from the key's write stamp, so any write through any
//!   dialect or instance makes it stale. `swap` checks the preconditions against what it observes
//!   and writes only if nothing wrote the key since; losing a race to another write means
//!   looking again, so of N swaps from one version exactly one is `swapped`.
//! - Errors: an empty key is `invalid-argument`; a limit is `quota-exceeded`; an unreachable
//!   server is `store-unavailable`; the rest is `other` with the core's message. Nothing traps.
//!   Any identifier opens (`no-such-store` and `access-denied` are never produced).

use crate::engine::{self, Bucket as _, BucketHandle};
use crate::exports::Component;
use crate::exports::bindings::exports::wasmcloud::keyvalue0_2_0::cas::{
    CasOptions, CasResult, Entry,
};
use crate::exports::bindings::exports::wasmcloud::keyvalue0_2_0::store as open;
use crate::exports::bindings::exports::wasmcloud::keyvalue0_2_0::types::{
    self, Bucket, BucketBorrow, Error, KeyResponse, SetOptions,
};
use crate::exports::bindings::exports::wasmcloud::keyvalue0_2_0::{atomics, batch, cas};
use crate::store;

/// The one conversion from the core's error to this interface's `error`.
impl From<store::Error> for Error {
    fn from(error: store::Error) -> Self {
        match error {
            store::Error::QuotaExceeded { .. } => Error::QuotaExceeded,
            store::Error::Unavailable(_) => Error::StoreUnavailable,
            other => Error::Other(other.to_string()),
        }
    }
}

/// `invalid-argument` for the empty key, which wasmCloud's hosts refuse.
fn checked(key: &str) -> Result<&str, Error> {
    if key.is_empty() {
        return Err(Error::InvalidArgument);
    }
    Ok(key)
}

/// Each of `keys` checked.
fn all_checked(keys: &[String]) -> Result<(), Error> {
    keys.iter().try_for_each(|key| checked(key).map(drop))
}

impl types::Guest for Component {
    type Bucket = BucketHandle;
}

impl open::Guest for Component {
    /// Any identifier; the bucket is created on first write.
    async fn open(identifier: String) -> Result<Bucket, Error> {
        Ok(Bucket::new(BucketHandle::open(identifier)?))
    }
}

impl types::GuestBucket for BucketHandle {
    async fn get(&self, key: String) -> Result<Option<Vec<u8>>, Error> {
        Ok(engine::Bucket::get(self, checked(&key)?)?)
    }

    async fn set(
        &self,
        key: String,
        value: Vec<u8>,
        options: Option<SetOptions>,
    ) -> Result<(), Error> {
        let SetOptions {
            ttl_ms,
            if_not_exists,
        } = options.unwrap_or(SetOptions {
            ttl_ms: None,
            if_not_exists: false,
        });
        match self.set_with(checked(&key)?, value, ttl_ms, if_not_exists)? {
            true => Ok(()),
            false => Err(Error::PreconditionFailed),
        }
    }

    async fn delete(&self, key: String) -> Result<(), Error> {
        Ok(engine::Bucket::delete(self, checked(&key)?)?)
    }

    async fn exists(&self, key: String) -> Result<bool, Error> {
        Ok(engine::Bucket::exists(self, checked(&key)?)?)
    }

    async fn list_keys(
        &self,
        prefix: Option<String>,
        cursor: Option<String>,
    ) -> Result<KeyResponse, Error> {
        let prefix = prefix.unwrap_or_default();
        if cursor
            .as_deref()
            .is_some_and(|cursor| !cursor.starts_with(&prefix))
        {
            return Err(Error::InvalidArgument);
        }
        let (keys, cursor) = self.list_prefixed(&prefix, cursor.as_deref())?;
        Ok(KeyResponse { keys, cursor })
    }
}

impl atomics::Guest for Component {
    async fn increment(bucket: BucketBorrow<'_>, key: String, delta: i64) -> Result<i64, Error> {
        Ok(bucket
            .get::<BucketHandle>()
            .increment_signed(checked(&key)?, delta)?)
    }
}

/// How many times `swap` looks again after losing a race to a write that still meets its
/// preconditions, before it answers `stale` with what it saw last.
const SWAP_TRIES: usize = 16;

impl cas::Guest for Component {
    async fn current(bucket: BucketBorrow<'_>, key: String) -> Result<Option<Entry>, Error> {
        let (version, value) = bucket.get::<BucketHandle>().observe(checked(&key)?)?;
        Ok(entry(&version, value))
    }

    async fn swap(
        bucket: BucketBorrow<'_>,
        key: String,
        value: Vec<u8>,
        options: CasOptions,
    ) -> Result<CasResult, Error> {
        let bucket = bucket.get::<BucketHandle>();
        let key = checked(&key)?;
        if options.require_version.is_none() && options.require_value.is_none() {
            return Err(Error::InvalidArgument);
        }
        let mut tries = 0;
        loop {
            let (version, current) = bucket.observe(key)?;
            let token = BucketHandle::version_token(&version);
            let holds = current.is_some()
                && options
                    .require_version
                    .as_ref()
                    .is_none_or(|required| token.as_ref() == Some(required))
                && options
                    .require_value
                    .as_ref()
                    .is_none_or(|required| current.as_ref() == Some(required));
            if !holds {
                return Ok(CasResult::Stale(entry(&version, current)));
            }
            tries += 1;
            // The write is applied only if nothing wrote the key since this observation.
            if bucket.swap(key, &version, store::copy(&value)?)? {
                return Ok(CasResult::Swapped);
            }
            if tries == SWAP_TRIES {
                let (version, current) = bucket.observe(key)?;
                return Ok(CasResult::Stale(entry(&version, current)));
            }
        }
    }
}

/// A key's value and version, if it exists.
fn entry(version: &engine::Version, value: Option<Vec<u8>>) -> Option<Entry> {
    let value = value?;
    let version = BucketHandle::version_token(version)?;
    Some(Entry { value, version })
}

impl batch::Guest for Component {
    /// In request order; `none` for a missing key.
    async fn get_many(
        bucket: BucketBorrow<'_>,
        keys: Vec<String>,
    ) -> Result<Vec<Option<(String, Vec<u8>)>>, Error> {
        all_checked(&keys)?;
        let found = bucket.get::<BucketHandle>().get_many(keys)?;
        Ok(found
            .into_iter()
            .map(|(key, value)| value.map(|value| (key, value)))
            .collect())
    }

    /// All of them or, if a limit refuses one, none of them (stronger than the interface asks).
    async fn set_many(
        bucket: BucketBorrow<'_>,
        key_values: Vec<(String, Vec<u8>)>,
    ) -> Result<(), Error> {
        key_values
            .iter()
            .try_for_each(|(key, _)| checked(key).map(drop))?;
        Ok(bucket.get::<BucketHandle>().set_many(key_values)?)
    }

    async fn delete_many(bucket: BucketBorrow<'_>, keys: Vec<String>) -> Result<(), Error> {
        all_checked(&keys)?;
        Ok(bucket.get::<BucketHandle>().delete_many(keys)?)
    }
}
