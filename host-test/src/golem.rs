//! `memkv-golem`: memkv's second artifact, which also exports the Golem key-value dialect
//! (unversioned `wasi:keyvalue`, December 2023), and the Golem docs' example guest built for it.
//!
//! The dialect's `types` interface names `wasi:io@0.2.0-rc-2023-11-10` streams, so the artifact
//! imports those resource types; [`io_linker`] defines them (memkv never creates a stream, so
//! no stream function is ever called). The dialect is called dynamically, by export name, through
//! [`Golem`]: generating host bindings for it would oblige the harness to implement every
//! `wasi:io` stream function.

use std::ops::{Deref, DerefMut};
use std::sync::OnceLock;

use wasmtime::component::{
    ComponentNamedList, Instance, Lift, Linker, Lower, ResourceAny, ResourceType, TypedFunc,
};
use wasmtime::{Engine, Result, Store};

use crate::guests::client_bindings::KvClientPre;
use crate::guests::get_or_try_init;
use crate::{
    ClientInstance, Composition, Entry, Harness, HostState, MemkvInstance, compose, engine,
};

/// `memkv-golem.wasm`, compiled once: instances of it have the Golem dialect's view.
pub struct GolemHarness(Harness);

impl GolemHarness {
    /// Compile `memkv-golem.wasm` with [`engine`], its `wasi:io` types defined by [`io_linker`].
    pub fn load() -> Result<Self> {
        let linker = io_linker(&engine()?)?;
        Ok(Self(Harness::compile(
            &linker,
            memkv_artifacts::MEMKV_GOLEM,
        )?))
    }

    /// One harness per process, compiled on first use: tests share it.
    pub fn shared() -> &'static Self {
        static SHARED: OnceLock<GolemHarness> = OnceLock::new();
        SHARED.get_or_init(|| Self::load().expect("memkv-golem.wasm compiles"))
    }

    /// The artifact as a [`Harness`]: its component, imports and exports.
    pub fn harness(&self) -> &Harness {
        &self.0
    }

    /// A fresh instance, with an empty store of its own.
    pub fn instantiate(&self) -> Result<GolemInstance> {
        Ok(GolemInstance(self.0.instantiate()?))
    }
}

/// One instance of `memkv-golem`: every view of a memkv instance (through `Deref`), plus
/// [`GolemInstance::golem`].
pub struct GolemInstance(MemkvInstance<HostState>);

impl GolemInstance {
    /// The instance's Golem `wasi:keyvalue` dialect.
    pub fn golem(&mut self) -> Golem<'_> {
        let (store, instance) = self.0.parts();
        Golem { store, instance }
    }
}

impl Deref for GolemInstance {
    type Target = MemkvInstance<HostState>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for GolemInstance {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

/// The Golem docs' key-value example with `memkv-golem` plugged in: what memkv satisfies and the
/// imports left over (the `wasi:io` types).
pub fn compose_example() -> anyhow::Result<Composition> {
    compose(memkv_artifacts::GOLEM_EXAMPLE, memkv_artifacts::MEMKV_GOLEM)
}

/// A fresh instance of the Golem docs' example with `memkv-golem` plugged in, its `wasi:io`
/// imports defined by [`io_linker`]. Compiled once per process.
pub fn example() -> anyhow::Result<ClientInstance> {
    static PRE: OnceLock<KvClientPre<HostState>> = OnceLock::new();
    let pre = get_or_try_init(&PRE, || {
        let engine = engine()?;
        let composition = compose_example()?;
        let component = wasmtime::component::Component::new(&engine, &composition.bytes)?;
        Ok(KvClientPre::new(
            io_linker(&engine)?.instantiate_pre(&component)?,
        )?)
    })?;
    ClientInstance::instantiate(pre)
}

/// The `wasi:io` resource types the Golem dialect names; instances of them never exist.
enum InputStream {}
enum OutputStream {}
enum IoError {}
enum Pollable {}

/// A linker defining the `wasi:io@0.2.0-rc-2023-11-10` resource types (`input-stream`,
/// `output-stream`, `error`, `pollable`) and nothing else.
pub fn io_linker(engine: &Engine) -> Result<Linker<HostState>> {
    let mut linker = Linker::new(engine);
    let mut root = linker.root();
    let mut streams = root.instance("wasi:io/streams@0.2.0-rc-2023-11-10")?;
    streams.resource(
        "input-stream",
        ResourceType::host::<InputStream>(),
        |_, _| Ok(()),
    )?;
    streams.resource(
        "output-stream",
        ResourceType::host::<OutputStream>(),
        |_, _| Ok(()),
    )?;
    let mut root = linker.root();
    let mut error = root.instance("wasi:io/error@0.2.0-rc-2023-11-10")?;
    error.resource("error", ResourceType::host::<IoError>(), |_, _| Ok(()))?;
    let mut root = linker.root();
    let mut poll = root.instance("wasi:io/poll@0.2.0-rc-2023-11-10")?;
    poll.resource("pollable", ResourceType::host::<Pollable>(), |_, _| Ok(()))?;
    Ok(linker)
}

/// Calls through an instance's Golem dialect. Errors come back as the `trace()` of the `error`
/// resource, whose handle is then dropped. Bucket handles are [`ResourceAny`]s owned by the
/// instance: give them back with [`Golem::drop_resource`].
pub struct Golem<'a> {
    store: &'a mut Store<HostState>,
    instance: Instance,
}

/// An interface's result, its `error` resource read out as its trace.
pub type Traced<T> = std::result::Result<T, String>;

impl Golem<'_> {
    /// The typed export `name` of `interface`.
    fn func<P, R>(&mut self, interface: &str, name: &str) -> Result<TypedFunc<P, R>>
    where
        P: ComponentNamedList + Lower,
        R: ComponentNamedList + Lift,
    {
        crate::exported(&mut *self.store, &self.instance, Some(interface), name)
    }

    /// Call `name` of `interface` with `params`.
    fn call<P, R>(&mut self, interface: &str, name: &str, params: P) -> Result<R>
    where
        P: ComponentNamedList + Lower,
        R: ComponentNamedList + Lift,
    {
        let func = self.func::<P, R>(interface, name)?;
        func.call(&mut *self.store, params)
    }

    /// An `error` resource's trace; the resource is dropped.
    fn trace(&mut self, error: ResourceAny) -> Result<String> {
        let (trace,) = self.call::<_, (String,)>(
            "wasi:keyvalue/wasi-cloud-error",
            "[method]error.trace",
            (error,),
        )?;
        error.resource_drop(&mut *self.store)?;
        Ok(trace)
    }

    /// An interface result with its error resource traced.
    fn traced<T>(&mut self, result: std::result::Result<T, ResourceAny>) -> Result<Traced<T>> {
        match result {
            Ok(value) => Ok(Ok(value)),
            Err(error) => Ok(Err(self.trace(error)?)),
        }
    }

    /// Give a bucket (or value) handle back.
    pub fn drop_resource(&mut self, resource: ResourceAny) -> Result<()> {
        resource.resource_drop(&mut *self.store)
    }

    /// `types.[static]bucket.open-bucket`.
    pub fn open_bucket(&mut self, name: &str) -> Result<Traced<ResourceAny>> {
        let (result,) = self.call("wasi:keyvalue/types", "[static]bucket.open-bucket", (name,))?;
        self.traced(result)
    }

    /// A new `outgoing-value` whose sync body is `value`.
    pub fn outgoing(&mut self, value: &[u8]) -> Result<ResourceAny> {
        let (outgoing,) = self.call::<(), (ResourceAny,)>(
            "wasi:keyvalue/types",
            "[static]outgoing-value.new-outgoing-value",
            (),
        )?;
        let (written,) = self.call::<_, (std::result::Result<(), ResourceAny>,)>(
            "wasi:keyvalue/types",
            "[method]outgoing-value.outgoing-value-write-body-sync",
            (outgoing, value),
        )?;
        self.traced(written)?.map_err(wasmtime::Error::msg)?;
        Ok(outgoing)
    }

    /// Drop a stream handle if memkv ever returned one (it never should).
    fn drop_stream(&mut self, stream: Traced<ResourceAny>) -> Result<Traced<()>> {
        match stream {
            Ok(stream) => {
                stream.resource_drop(&mut *self.store)?;
                Ok(Ok(()))
            }
            Err(trace) => Ok(Err(trace)),
        }
    }

    /// `outgoing-value-write-body-async` of a fresh value: always an error.
    pub fn write_body_async(&mut self) -> Result<Traced<()>> {
        let outgoing = self.outgoing(b"")?;
        let (result,) = self.call::<_, (std::result::Result<ResourceAny, ResourceAny>,)>(
            "wasi:keyvalue/types",
            "[method]outgoing-value.outgoing-value-write-body-async",
            (outgoing,),
        )?;
        self.drop_resource(outgoing)?;
        let stream = self.traced(result)?;
        self.drop_stream(stream)
    }

    /// Read an `incoming-value` with `incoming-value-consume-sync`, check its `size`, drop it.
    fn consume(&mut self, incoming: ResourceAny) -> Result<Traced<Vec<u8>>> {
        let (size,) = self.call::<_, (u64,)>(
            "wasi:keyvalue/types",
            "[method]incoming-value.size",
            (incoming,),
        )?;
        let (body,) = self.call::<_, (std::result::Result<Vec<u8>, ResourceAny>,)>(
            "wasi:keyvalue/types",
            "[method]incoming-value.incoming-value-consume-sync",
            (incoming,),
        )?;
        let body = self.traced(body)?;
        if let Ok(body) = &body {
            assert_eq!(size, body.len() as u64, "incoming-value.size");
        }
        self.drop_resource(incoming)?;
        Ok(body)
    }

    /// `readwrite.get`, its value consumed with `incoming-value-consume-sync`.
    pub fn get(&mut self, bucket: ResourceAny, key: &str) -> Result<Traced<Vec<u8>>> {
        let (result,) = self.call("wasi:keyvalue/readwrite", "get", (bucket, key))?;
        match self.traced(result)? {
            Ok(incoming) => self.consume(incoming),
            Err(trace) => Ok(Err(trace)),
        }
    }

    /// `incoming-value-consume-async` of the value of `key`: always an error.
    pub fn consume_async(&mut self, bucket: ResourceAny, key: &str) -> Result<Traced<()>> {
        let (result,) = self.call::<_, (std::result::Result<ResourceAny, ResourceAny>,)>(
            "wasi:keyvalue/readwrite",
            "get",
            (bucket, key),
        )?;
        let incoming = self.traced(result)?.map_err(wasmtime::Error::msg)?;
        let (stream,) = self.call::<_, (std::result::Result<ResourceAny, ResourceAny>,)>(
            "wasi:keyvalue/types",
            "[method]incoming-value.incoming-value-consume-async",
            (incoming,),
        )?;
        self.drop_resource(incoming)?;
        let stream = self.traced(stream)?;
        self.drop_stream(stream)
    }

    /// `readwrite.set`, through an `outgoing-value` with a sync body.
    pub fn set(&mut self, bucket: ResourceAny, key: &str, value: &[u8]) -> Result<Traced<()>> {
        let outgoing = self.outgoing(value)?;
        let (result,) = self.call("wasi:keyvalue/readwrite", "set", (bucket, key, outgoing))?;
        self.drop_resource(outgoing)?;
        self.traced(result)
    }

    /// `readwrite.delete`.
    pub fn delete(&mut self, bucket: ResourceAny, key: &str) -> Result<Traced<()>> {
        let (result,) = self.call("wasi:keyvalue/readwrite", "delete", (bucket, key))?;
        self.traced(result)
    }

    /// `readwrite.exists`.
    pub fn exists(&mut self, bucket: ResourceAny, key: &str) -> Result<Traced<bool>> {
        let (result,) = self.call("wasi:keyvalue/readwrite", "exists", (bucket, key))?;
        self.traced(result)
    }

    /// `batch.get-many`, every value consumed.
    pub fn get_many(
        &mut self,
        bucket: ResourceAny,
        keys: &[String],
    ) -> Result<Traced<Vec<Vec<u8>>>> {
        let (result,) = self.call::<_, (std::result::Result<Vec<ResourceAny>, ResourceAny>,)>(
            "wasi:keyvalue/batch",
            "get-many",
            (bucket, keys),
        )?;
        let incoming = match self.traced(result)? {
            Ok(incoming) => incoming,
            Err(trace) => return Ok(Err(trace)),
        };
        let mut values = Vec::new();
        for value in incoming {
            values.push(self.consume(value)?.map_err(wasmtime::Error::msg)?);
        }
        Ok(Ok(values))
    }

    /// `batch.get-keys`.
    pub fn get_keys(&mut self, bucket: ResourceAny) -> Result<Vec<String>> {
        let (keys,) = self.call("wasi:keyvalue/batch", "get-keys", (bucket,))?;
        Ok(keys)
    }

    /// `batch.set-many`, each value through an `outgoing-value`.
    pub fn set_many(&mut self, bucket: ResourceAny, entries: &[Entry]) -> Result<Traced<()>> {
        let mut values = Vec::new();
        for (key, value) in entries {
            values.push((key.clone(), self.outgoing(value)?));
        }
        let (result,) = self.call(
            "wasi:keyvalue/batch",
            "set-many",
            (bucket, values.as_slice()),
        )?;
        for (_, outgoing) in values {
            self.drop_resource(outgoing)?;
        }
        self.traced(result)
    }

    /// `batch.delete-many`.
    pub fn delete_many(&mut self, bucket: ResourceAny, keys: &[String]) -> Result<Traced<()>> {
        let (result,) = self.call("wasi:keyvalue/batch", "delete-many", (bucket, keys))?;
        self.traced(result)
    }

    /// `atomic.increment`.
    pub fn increment(&mut self, bucket: ResourceAny, key: &str, delta: u64) -> Result<Traced<u64>> {
        let (result,) = self.call("wasi:keyvalue/atomic", "increment", (bucket, key, delta))?;
        self.traced(result)
    }

    /// `atomic.compare-and-swap`.
    pub fn compare_and_swap(
        &mut self,
        bucket: ResourceAny,
        key: &str,
        old: u64,
        new: u64,
    ) -> Result<Traced<bool>> {
        let (result,) = self.call(
            "wasi:keyvalue/atomic",
            "compare-and-swap",
            (bucket, key, old, new),
        )?;
        self.traced(result)
    }
}

impl crate::KeyValueApi for GolemInstance {
    fn get(&mut self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>> {
        self.0.get(bucket, key)
    }

    fn set(&mut self, bucket: &str, key: &str, value: &[u8]) -> Result<()> {
        self.0.set(bucket, key, value)
    }
}
