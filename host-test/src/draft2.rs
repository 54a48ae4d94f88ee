//! `wasi:keyvalue@0.2.0-draft2` (Spin's dialect) on a memkv [`Instance`], a method per function.

use wasmtime::Result;
use wasmtime::component::ResourceAny;

use crate::Instance;
use crate::bindings::exports::wasi::keyvalue0_2_0_draft2::atomics::CasError;
use crate::bindings::exports::wasi::keyvalue0_2_0_draft2::store::{Error, KeyResponse};

/// A key and what `get-many` found for it.
pub type Found = (String, Option<Vec<u8>>);

/// Calls through the instance's draft2 exports. Bucket and `cas` handles are [`ResourceAny`]s
/// owned by the instance: give buckets back with [`Draft2::drop_bucket`]; `swap` consumes a
/// `cas`, [`Draft2::drop_cas`] gives back one that is not swapped.
pub struct Draft2<'a>(pub(crate) &'a mut Instance);

impl Draft2<'_> {
    /// `store.open`.
    pub fn open(&mut self, identifier: &str) -> Result<Result<ResourceAny, Error>> {
        let (memkv, store) = self.0.parts();
        memkv
            .wasi_keyvalue0_2_0_draft2_store()
            .call_open(store, identifier)
    }

    /// Give a bucket handle back.
    pub fn drop_bucket(&mut self, bucket: ResourceAny) -> Result<()> {
        bucket.resource_drop(self.0.parts().1)
    }

    /// `bucket.get`.
    pub fn get(
        &mut self,
        bucket: ResourceAny,
        key: &str,
    ) -> Result<Result<Option<Vec<u8>>, Error>> {
        let (memkv, store) = self.0.parts();
        memkv
            .wasi_keyvalue0_2_0_draft2_store()
            .bucket()
            .call_get(store, bucket, key)
    }

    /// `bucket.set`.
    pub fn set(
        &mut self,
        bucket: ResourceAny,
        key: &str,
        value: &[u8],
    ) -> Result<Result<(), Error>> {
        let (memkv, store) = self.0.parts();
        memkv
            .wasi_keyvalue0_2_0_draft2_store()
            .bucket()
            .call_set(store, bucket, key, value)
    }

    /// `bucket.delete`.
    pub fn delete(&mut self, bucket: ResourceAny, key: &str) -> Result<Result<(), Error>> {
        let (memkv, store) = self.0.parts();
        memkv
            .wasi_keyvalue0_2_0_draft2_store()
            .bucket()
            .call_delete(store, bucket, key)
    }

    /// `bucket.exists`.
    pub fn exists(&mut self, bucket: ResourceAny, key: &str) -> Result<Result<bool, Error>> {
        let (memkv, store) = self.0.parts();
        memkv
            .wasi_keyvalue0_2_0_draft2_store()
            .bucket()
            .call_exists(store, bucket, key)
    }

    /// `bucket.list-keys`.
    pub fn list_keys(
        &mut self,
        bucket: ResourceAny,
        cursor: Option<&str>,
    ) -> Result<Result<KeyResponse, Error>> {
        let (memkv, store) = self.0.parts();
        memkv
            .wasi_keyvalue0_2_0_draft2_store()
            .bucket()
            .call_list_keys(store, bucket, cursor)
    }

    /// `atomics.increment`.
    pub fn increment(
        &mut self,
        bucket: ResourceAny,
        key: &str,
        delta: i64,
    ) -> Result<Result<i64, Error>> {
        let (memkv, store) = self.0.parts();
        memkv
            .wasi_keyvalue0_2_0_draft2_atomics()
            .call_increment(store, bucket, key, delta)
    }

    /// `cas.new`.
    pub fn cas(&mut self, bucket: ResourceAny, key: &str) -> Result<Result<ResourceAny, Error>> {
        let (memkv, store) = self.0.parts();
        memkv
            .wasi_keyvalue0_2_0_draft2_atomics()
            .cas()
            .call_new(store, bucket, key)
    }

    /// `cas.current`.
    pub fn current(&mut self, cas: ResourceAny) -> Result<Result<Option<Vec<u8>>, Error>> {
        let (memkv, store) = self.0.parts();
        memkv
            .wasi_keyvalue0_2_0_draft2_atomics()
            .cas()
            .call_current(store, cas)
    }

    /// `atomics.swap`: consumes `cas`.
    pub fn swap(&mut self, cas: ResourceAny, value: &[u8]) -> Result<Result<(), CasError>> {
        let (memkv, store) = self.0.parts();
        memkv
            .wasi_keyvalue0_2_0_draft2_atomics()
            .call_swap(store, cas, value)
    }

    /// Give a `cas` handle back without swapping.
    pub fn drop_cas(&mut self, cas: ResourceAny) -> Result<()> {
        cas.resource_drop(self.0.parts().1)
    }

    /// `batch.get-many`.
    pub fn get_many(
        &mut self,
        bucket: ResourceAny,
        keys: &[String],
    ) -> Result<Result<Vec<Found>, Error>> {
        let (memkv, store) = self.0.parts();
        memkv
            .wasi_keyvalue0_2_0_draft2_batch()
            .call_get_many(store, bucket, keys)
    }

    /// `batch.set-many`.
    pub fn set_many(
        &mut self,
        bucket: ResourceAny,
        key_values: &[crate::Entry],
    ) -> Result<Result<(), Error>> {
        let (memkv, store) = self.0.parts();
        memkv
            .wasi_keyvalue0_2_0_draft2_batch()
            .call_set_many(store, bucket, key_values)
    }

    /// `batch.delete-many`.
    pub fn delete_many(
        &mut self,
        bucket: ResourceAny,
        keys: &[String],
    ) -> Result<Result<(), Error>> {
        let (memkv, store) = self.0.parts();
        memkv
            .wasi_keyvalue0_2_0_draft2_batch()
            .call_delete_many(store, bucket, keys)
    }
}
