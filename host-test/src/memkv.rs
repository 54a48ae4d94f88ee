//! The memkv component on its own: compiled once, instantiated cheaply, called directly.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use wasmtime::component::{Component, Linker, ResourceAny};
use wasmtime::{Engine, Result, Store};

use crate::bindings::exports::memkv::store::limits::{Limits, Usage};
use crate::bindings::exports::wasi::keyvalue0_2_0_draft::store::{Error, KeyResponse};
use crate::bindings::{Memkv, MemkvPre};
use crate::{COMPONENT_PATH, Entry, HostState, KeyValueApi, Listing, engine, new_store};

/// The memkv component, compiled once and ready to be instantiated cheaply, many times.
pub struct Harness {
    path: PathBuf,
    component: Component,
    pre: MemkvPre<HostState>,
}

impl Harness {
    /// Compile the component built by `build.rs` with [`engine`].
    pub fn load() -> Result<Self> {
        Self::load_file(&engine()?, Path::new(COMPONENT_PATH))
    }

    /// Compile the memkv component at `path` with `engine`.
    pub fn load_file(engine: &Engine, path: &Path) -> Result<Self> {
        Self::with_linker(&Linker::new(engine), path)
    }

    /// Compile the `memkv-golem` artifact built by `build.rs`, whose `wasi:io` stream types the
    /// harness defines (see [`crate::golem`]).
    pub fn load_golem() -> Result<Self> {
        let engine = engine()?;
        Self::with_linker(
            &crate::golem::io_linker(&engine)?,
            Path::new(crate::golem::MEMKV_GOLEM_PATH),
        )
    }

    /// One `memkv-golem` harness per process, compiled on first use.
    pub fn shared_golem() -> &'static Self {
        static SHARED: OnceLock<Harness> = OnceLock::new();
        SHARED.get_or_init(|| Self::load_golem().expect("memkv-golem built by build.rs loads"))
    }

    /// Compile the component at `path`, to be linked with `linker`.
    fn with_linker(linker: &Linker<HostState>, path: &Path) -> Result<Self> {
        let component = Component::from_file(linker.engine(), path)?;
        let pre = MemkvPre::new(linker.instantiate_pre(&component)?)?;
        Ok(Self {
            path: path.to_owned(),
            component,
            pre,
        })
    }

    /// One harness per process, compiled on first use: tests share it.
    pub fn shared() -> &'static Self {
        static SHARED: OnceLock<Harness> = OnceLock::new();
        SHARED.get_or_init(|| Self::load().expect("the memkv component built by build.rs loads"))
    }

    /// Where the component was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The compiled component.
    pub fn component(&self) -> &Component {
        &self.component
    }

    /// The engine the component was compiled with.
    pub fn engine(&self) -> &Engine {
        self.pre.engine()
    }

    /// Names of the component's imports, in order.
    pub fn import_names(&self) -> Vec<String> {
        let ty = self.component.component_type();
        ty.imports(self.engine())
            .map(|(name, _)| name.to_owned())
            .collect()
    }

    /// Names of the component's exports, in order.
    pub fn export_names(&self) -> Vec<String> {
        let ty = self.component.component_type();
        ty.exports(self.engine())
            .map(|(name, _)| name.to_owned())
            .collect()
    }

    /// A fresh instance, with an empty store of its own.
    pub fn instantiate(&self) -> Result<Instance> {
        self.instantiate_capped(None)
    }

    /// A fresh instance whose linear memory may not grow past `max_memory_bytes` (when given):
    /// a growth past it fails inside the component, as running out of memory would.
    pub fn instantiate_capped(&self, max_memory_bytes: Option<usize>) -> Result<Instance> {
        let mut store = new_store(self.engine());
        store.data_mut().memory.cap = max_memory_bytes;
        let instance = self.pre.instance_pre().instantiate(&mut store)?;
        let memkv = Memkv::new(&mut store, &instance)?;
        Ok(Instance {
            store,
            memkv,
            instance,
        })
    }
}

/// One instance of memkv and its wasmtime store, with a method per exported function.
///
/// Bucket handles are [`ResourceAny`]s owned by this instance: give each back with
/// [`Instance::drop_bucket`].
pub struct Instance {
    store: Store<HostState>,
    memkv: Memkv,
    instance: wasmtime::component::Instance,
}

impl Instance {
    /// The generated bindings and the wasmtime store, for calls this type has no method for.
    pub fn parts(&mut self) -> (&Memkv, &mut Store<HostState>) {
        (&self.memkv, &mut self.store)
    }

    /// The instance's Golem `wasi:keyvalue` dialect (`memkv-golem` only).
    pub fn golem(&mut self) -> crate::golem::Golem<'_> {
        crate::golem::Golem {
            store: &mut self.store,
            instance: self.instance,
        }
    }

    /// The instance's `wasi:keyvalue@0.2.0-draft2` exports (the methods of `Instance` itself
    /// call the 0.2.0-draft ones).
    pub fn draft2(&mut self) -> crate::draft2::Draft2<'_> {
        crate::draft2::Draft2(self)
    }

    /// Bytes of linear memory the instance holds.
    pub fn memory_bytes(&self) -> usize {
        self.store.data().memory_bytes()
    }

    /// `memkv:store/limits.get-limits`.
    pub fn get_limits(&mut self) -> Result<Limits> {
        self.memkv
            .memkv_store_limits()
            .call_get_limits(&mut self.store)
    }

    /// `memkv:store/limits.set-limits`.
    pub fn set_limits(&mut self, limits: Limits) -> Result<std::result::Result<(), String>> {
        self.memkv
            .memkv_store_limits()
            .call_set_limits(&mut self.store, limits)
    }

    /// `memkv:store/limits.get-usage`.
    pub fn get_usage(&mut self) -> Result<Usage> {
        self.memkv
            .memkv_store_limits()
            .call_get_usage(&mut self.store)
    }

    /// `golem:api/save-snapshot.save`.
    pub fn save(&mut self) -> Result<Vec<u8>> {
        self.memkv
            .golem_api_save_snapshot()
            .call_save(&mut self.store)
    }

    /// `golem:api/load-snapshot.load`.
    pub fn load(&mut self, snapshot: &[u8]) -> Result<std::result::Result<(), String>> {
        self.memkv
            .golem_api_load_snapshot()
            .call_load(&mut self.store, snapshot)
    }

    /// `golem:examples/api.get`.
    pub fn api_get(&mut self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>> {
        self.memkv
            .golem_examples_api()
            .call_get(&mut self.store, bucket, key)
    }

    /// `golem:examples/api.set`.
    pub fn api_set(&mut self, bucket: &str, key: &str, value: &[u8]) -> Result<()> {
        self.memkv
            .golem_examples_api()
            .call_set(&mut self.store, bucket, key, value)
    }

    /// `wasi:keyvalue/store.open`.
    pub fn open(&mut self, identifier: &str) -> Result<Result<ResourceAny, Error>> {
        self.memkv
            .wasi_keyvalue0_2_0_draft_store()
            .call_open(&mut self.store, identifier)
    }

    /// Give a bucket handle back to the component.
    pub fn drop_bucket(&mut self, bucket: ResourceAny) -> Result<()> {
        bucket.resource_drop(&mut self.store)
    }

    /// `bucket.get`.
    pub fn get(
        &mut self,
        bucket: ResourceAny,
        key: &str,
    ) -> Result<Result<Option<Vec<u8>>, Error>> {
        self.memkv
            .wasi_keyvalue0_2_0_draft_store()
            .bucket()
            .call_get(&mut self.store, bucket, key)
    }

    /// `bucket.set`.
    pub fn set(
        &mut self,
        bucket: ResourceAny,
        key: &str,
        value: &[u8],
    ) -> Result<Result<(), Error>> {
        self.memkv
            .wasi_keyvalue0_2_0_draft_store()
            .bucket()
            .call_set(&mut self.store, bucket, key, value)
    }

    /// `bucket.delete`.
    pub fn delete(&mut self, bucket: ResourceAny, key: &str) -> Result<Result<(), Error>> {
        self.memkv
            .wasi_keyvalue0_2_0_draft_store()
            .bucket()
            .call_delete(&mut self.store, bucket, key)
    }

    /// `bucket.exists`.
    pub fn exists(&mut self, bucket: ResourceAny, key: &str) -> Result<Result<bool, Error>> {
        self.memkv
            .wasi_keyvalue0_2_0_draft_store()
            .bucket()
            .call_exists(&mut self.store, bucket, key)
    }

    /// `bucket.list-keys`.
    pub fn list_keys(
        &mut self,
        bucket: ResourceAny,
        cursor: Option<u64>,
    ) -> Result<Result<KeyResponse, Error>> {
        self.memkv
            .wasi_keyvalue0_2_0_draft_store()
            .bucket()
            .call_list_keys(&mut self.store, bucket, cursor)
    }

    /// Every key of `bucket`, following `list-keys` cursors to the end. The inner error is that
    /// of the first page that failed.
    pub fn list_all_keys(&mut self, bucket: ResourceAny) -> Result<Result<Listing, Error>> {
        let mut keys = Vec::new();
        let mut page_sizes = Vec::new();
        let mut cursor = None;
        loop {
            let page = match self.list_keys(bucket, cursor)? {
                Ok(page) => page,
                Err(error) => return Ok(Err(error)),
            };
            page_sizes.push(page.keys.len());
            keys.extend(page.keys);
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(Ok(Listing { keys, page_sizes })),
            }
        }
    }

    /// `wasi:keyvalue/atomics.increment`.
    pub fn increment(
        &mut self,
        bucket: ResourceAny,
        key: &str,
        delta: u64,
    ) -> Result<Result<u64, Error>> {
        self.memkv
            .wasi_keyvalue0_2_0_draft_atomics()
            .call_increment(&mut self.store, bucket, key, delta)
    }

    /// `wasi:keyvalue/batch.get-many`.
    pub fn get_many(
        &mut self,
        bucket: ResourceAny,
        keys: &[String],
    ) -> Result<Result<Vec<Option<Entry>>, Error>> {
        self.memkv
            .wasi_keyvalue0_2_0_draft_batch()
            .call_get_many(&mut self.store, bucket, keys)
    }

    /// `wasi:keyvalue/batch.set-many`.
    pub fn set_many(
        &mut self,
        bucket: ResourceAny,
        key_values: &[Entry],
    ) -> Result<Result<(), Error>> {
        self.memkv.wasi_keyvalue0_2_0_draft_batch().call_set_many(
            &mut self.store,
            bucket,
            key_values,
        )
    }

    /// `wasi:keyvalue/batch.delete-many`.
    pub fn delete_many(
        &mut self,
        bucket: ResourceAny,
        keys: &[String],
    ) -> Result<Result<(), Error>> {
        self.memkv
            .wasi_keyvalue0_2_0_draft_batch()
            .call_delete_many(&mut self.store, bucket, keys)
    }
}

impl KeyValueApi for Instance {
    fn get(&mut self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>> {
        self.api_get(bucket, key)
    }

    fn set(&mut self, bucket: &str, key: &str, value: &[u8]) -> Result<()> {
        self.api_set(bucket, key, value)
    }
}
