//! `wasi:keyvalue/atomics@0.2.0-draft2`: signed counters and compare-and-swap.

use crate::engine::{Bucket as _, BucketHandle, Version};
use crate::exports::Component;
use crate::exports::bindings::exports::wasi::keyvalue0_2_0_draft2::atomics::{
    Cas, CasError, Guest, GuestCas,
};
use crate::exports::bindings::exports::wasi::keyvalue0_2_0_draft2::store::{BucketBorrow, Error};
use crate::store;

/// The exported `cas` resource: one key as it stood when the handle was made.
pub struct CasHandle {
    bucket: BucketHandle,
    key: String,
    version: Version,
    /// The value observed, which `current` returns and `swap` requires to be unchanged.
    observed: Option<Vec<u8>>,
}

impl CasHandle {
    /// Observe `key` of `bucket` now.
    fn observe(bucket: BucketHandle, key: String) -> Result<Self, Error> {
        let (version, observed) = bucket.observe(&key)?;
        Ok(Self {
            bucket,
            key,
            version,
            observed,
        })
    }
}

impl GuestCas for CasHandle {
    fn new(bucket: BucketBorrow<'_>, key: String) -> Result<Cas, Error> {
        let bucket = bucket.get::<BucketHandle>().clone();
        Ok(Cas::new(Self::observe(bucket, key)?))
    }

    /// The value as it was when this handle was made (`none` if the key was absent).
    fn current(&self) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.observed.as_deref().map(store::copy).transpose()?)
    }
}

impl Guest for Component {
    type Cas = CasHandle;

    /// Signed decimal counters: `"-3"` is a counter here, and the draft's unsigned increment
    /// refuses it; overflow either way is an error.
    fn increment(bucket: BucketBorrow<'_>, key: String, delta: i64) -> Result<i64, Error> {
        Ok(bucket.get::<BucketHandle>().increment_signed(&key, delta)?)
    }

    /// Writes `value` only if nothing has written the key since the handle observed it (any
    /// write, through any interface, and any snapshot load count). Otherwise `cas-failed`
    /// carries a fresh handle observing the key as it is now.
    fn swap(cas: Cas, value: Vec<u8>) -> Result<(), CasError> {
        let cas = cas.into_inner::<CasHandle>();
        let swapped = cas
            .bucket
            .swap(&cas.key, &cas.version, value)
            .map_err(|error| CasError::StoreError(error.into()))?;
        if swapped {
            return Ok(());
        }
        match CasHandle::observe(cas.bucket, cas.key) {
            Ok(fresh) => Err(CasError::CasFailed(Cas::new(fresh))),
            Err(error) => Err(CasError::StoreError(error)),
        }
    }
}
