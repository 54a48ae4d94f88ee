//! # memkv-host
//!
//! memkv for embedders and test harnesses: memkv's components embedded in the library (from
//! `memkv-artifacts`), wasmtime to run them, and `wac-graph` to plug them into guests. Nothing is
//! read from the build directory at run time.
//!
//! - [`Compiled`]: the embedded `memkv.wasm`, compiled for an engine and instantiated cheaply;
//!   [`MemkvInstance`] calls it through one typed view per exported interface (snapshots in and
//!   out, limits and usage among them). Also `memkv-redis.wasm` and, with the host's wall clock
//!   for keys with a lifetime, `memkv-p3.wasm`, whose async dialects
//!   [`MemkvInstance::call_async`] calls.
//! - [`compose()`] and [`compose_with`]: plug memkv into a guest that imports what it exports;
//!   with [`Options`], bake data into the composition ([`Preset`]) and re-export memkv's
//!   snapshot, limits and usage interfaces so that the host can look into the store after a run.
//! - [`choose`]: which of memkv's [`ARTIFACTS`] serves a guest, from the guest's imports.
//! - [`engine`]: the wasmtime engine memkv runs on, with wasmtime's compilation cache.
//!
//! Compose a guest with a preset store, run it, and look into its store afterwards:
//!
//! ```
//! use memkv_host::bindings::exports::golem::examples::api;
//! use memkv_host::{CacheUse, Exposed, Options, Preset, compose_with, engine};
//! use wasmtime::Store;
//! use wasmtime::component::{Component, Linker};
//!
//! # fn main() -> anyhow::Result<()> {
//! // One key in the bucket "users", baked into memkv; memkv's own interfaces exported.
//! let mut preset = Preset::new();
//! preset.set("users", "alice", b"30")?;
//! let options = Options { preset: Some(preset), expose: true };
//! // A guest that serves `golem:examples/api` over `wasi:keyvalue/store@0.2.0-draft`.
//! let guest = memkv_artifacts::KV_CLIENT;
//! let composition = compose_with(guest, memkv_host::MEMKV, &options)?;
//! assert!(composition.unsatisfied.is_empty());
//!
//! let engine = engine(CacheUse::Off)?;
//! let component = Component::new(&engine, &composition.bytes)?;
//! let mut store = Store::new(&engine, ());
//! let instance = Linker::new(&engine).instantiate(&mut store, &component)?;
//!
//! // The guest reads the preset value and writes one of its own.
//! let pre = instance.instance_pre(&store);
//! let guest = api::GuestIndices::new(&pre)?.load(&mut store, &instance)?;
//! assert_eq!(guest.call_get(&mut store, "users", "alice")?, Some(b"30".to_vec()));
//! guest.call_set(&mut store, "users", "bob", b"41")?;
//!
//! // The store afterwards, through the exposed interfaces.
//! let exposed = Exposed::new(&mut store, &instance)?;
//! assert_eq!(exposed.limits.call_get_usage(&mut store)?.entries, 2);
//! let snapshot = exposed.save.call_save(&mut store)?;
//! assert!(Preset::from_snapshot(&snapshot).is_ok());
//! # Ok(())
//! # }
//! ```
//!
//! The library compiles the component once per machine: [`engine`] with [`CacheUse::User`]
//! turns on wasmtime's compilation cache (the one `wasmtime run` uses, configured by the same
//! `~/.config/wasmtime/config.toml`), so later runs load the compiled code instead of compiling.

mod artifacts;
mod compose;
mod exposed;
mod instance;
mod preset;

use std::sync::OnceLock;

use wasmtime::component::{Component, Linker, ResourceAny, ResourceTable, Val};
use wasmtime::{Cache, Config, Engine, Result, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

pub use artifacts::{ARTIFACTS, Artifact, choose, is_wasi};
pub use compose::{Composition, EXPOSED, Options, Side, component_names, compose, compose_with};
pub use exposed::Exposed;
pub use instance::{
    Api, Collections, Draft, Draft2, Entry, Found, Limits, Listing, MemkvInstance, Snapshot, Spin,
    Wasmcloud,
};
pub use memkv_artifacts::{
    MEMKV, MEMKV_GOLEM, MEMKV_GOLEM_P3, MEMKV_P3, MEMKV_REDIS, MEMKV_REDIS_GOLEM_P3, MEMKV_REDIS_P3,
};
pub use preset::{Preset, preset};

/// Host bindings of the world `memkv:store/memkv`, generated from the workspace's `wit/`.
#[allow(missing_docs, reason = "generated code; the WIT documents it")]
pub mod bindings {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "memkv:store/memkv",
        additional_derives: [PartialEq, Eq],
    });
}

use bindings::MemkvPre;
use bindings::exports::wasi::keyvalue0_2_0_draft::store::Error;

/// Whether [`engine`] keeps compiled code in wasmtime's compilation cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheUse {
    /// Use the user's cache, as `wasmtime run` does; if it cannot be set up (no home
    /// directory, a bad config file), compile without it.
    User,
    /// Compile every time (tests).
    Off,
}

/// The engine memkv's sync artifacts run on: wasmtime's defaults with concurrency support off
/// (it costs every component-to-component call; see BENCHMARKS.md). It refuses the async
/// artifacts ([`Artifact::p3`]), which need [`async_engine`].
pub fn engine(cache: CacheUse) -> Result<Engine> {
    engine_with(cache, false)
}

/// The engine the async artifacts ([`MEMKV_P3`], [`MEMKV_REDIS_P3`]) and async guests run on:
/// the component model's async support on. Call their async exports inside
/// `Store::run_concurrent`.
pub fn async_engine(cache: CacheUse) -> Result<Engine> {
    engine_with(cache, true)
}

fn engine_with(cache: CacheUse, concurrency: bool) -> Result<Engine> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.concurrency_support(concurrency);
    if cache == CacheUse::User {
        config.cache(Cache::from_file(None).ok());
    }
    Engine::new(&config)
}

/// The embedded `memkv.wasm`, compiled for one engine, ready to be instantiated many times;
/// and `memkv-redis.wasm` and `memkv-p3.wasm`, each compiled the first time it is asked for.
pub struct Compiled {
    component: Component,
    pre: MemkvPre<()>,
    redis: OnceLock<MemkvPre<Network>>,
    clocked: OnceLock<MemkvPre<Clock>>,
}

/// What the in-memory async artifact runs with: WASI 0.2 with its clocks and nothing else (no
/// network, files or environment). The wall clock ends keys' lifetimes.
pub struct Clock {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl Clock {
    /// The host's clocks.
    pub fn new() -> Self {
        Self {
            ctx: WasiCtx::builder().build(),
            table: ResourceTable::new(),
        }
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

impl WasiView for Clock {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

impl MemkvInstance<Clock> {
    /// wasmCloud 0.2's `bucket.set` with `ttl-ms` (async `wasmcloud:keyvalue@0.2.0`): set
    /// `key` of `bucket` to `value`, to expire `ttl_ms` milliseconds from now. The error, if
    /// the store refused, is the interface's error case, with its text for `other`.
    pub fn set_with_lifetime(
        &mut self,
        bucket: &str,
        key: &str,
        value: &[u8],
        ttl_ms: u64,
    ) -> Result<std::result::Result<(), String>> {
        let handle = match self.wasmcloud_open(bucket)? {
            Ok(handle) => handle,
            Err(refused) => return Ok(Err(refused)),
        };
        let written = self.wasmcloud_set(handle, key, value, Some(ttl_ms), false);
        handle.resource_drop(self.parts().0)?;
        written
    }
}

impl<T: Send + 'static> MemkvInstance<T> {
    /// wasmCloud 0.2's `store.open`: the bucket's handle (give it back with
    /// `ResourceAny::resource_drop`), or the error case ([`wasmcloud_result`]).
    pub fn wasmcloud_open(
        &mut self,
        identifier: &str,
    ) -> Result<std::result::Result<ResourceAny, String>> {
        let opened = self.call_async(WASMCLOUD_STORE, "open", &[Val::String(identifier.into())])?;
        match wasmcloud_result(opened)? {
            Ok(Some(Val::Resource(handle))) => Ok(Ok(handle)),
            Ok(other) => wasmtime::bail!("`open` answered {other:?}"),
            Err(refused) => Ok(Err(refused)),
        }
    }

    /// wasmCloud 0.2's `bucket.set` with its `set-options`: `ttl-ms` and `if-not-exists`. The
    /// error case ([`wasmcloud_result`]) is `precondition-failed` for an existing key with
    /// `if-not-exists`.
    pub fn wasmcloud_set(
        &mut self,
        bucket: ResourceAny,
        key: &str,
        value: &[u8],
        ttl_ms: Option<u64>,
        if_not_exists: bool,
    ) -> Result<std::result::Result<(), String>> {
        let options = Val::Record(vec![
            (
                "ttl-ms".into(),
                Val::Option(ttl_ms.map(|ttl_ms| Box::new(Val::U64(ttl_ms)))),
            ),
            ("if-not-exists".into(), Val::Bool(if_not_exists)),
        ]);
        let params = [
            Val::Resource(bucket),
            Val::String(key.into()),
            bytes_val(value),
            Val::Option(Some(Box::new(options))),
        ];
        let written = self.call_async(WASMCLOUD_TYPES, "[method]bucket.set", &params)?;
        Ok(wasmcloud_result(written)?.map(drop))
    }
}

/// `list<u8>`, as a component value.
pub fn bytes_val(bytes: &[u8]) -> Val {
    Val::List(bytes.iter().map(|&byte| Val::U8(byte)).collect())
}

/// The interface of wasmCloud 0.2's `open`.
pub const WASMCLOUD_STORE: &str = "wasmcloud:keyvalue/store@0.2.0";

/// The interface of wasmCloud 0.2's bucket resource, and so of its methods.
pub const WASMCLOUD_TYPES: &str = "wasmcloud:keyvalue/types@0.2.0";

/// The interface of wasmCloud 0.2's compare-and-swap.
pub const WASMCLOUD_CAS: &str = "wasmcloud:keyvalue/cas@0.2.0";

/// A wasmCloud 0.2 function's `result<T, error>`, as [`MemkvInstance::call_async`] gives it:
/// `T`'s value (`None` for `_`), or the error case's name (the text, for `other`).
pub fn wasmcloud_result(answer: Val) -> Result<std::result::Result<Option<Val>, String>> {
    match answer {
        Val::Result(Ok(value)) => Ok(Ok(value.map(|value| *value))),
        Val::Result(Err(Some(error))) => match *error {
            Val::Variant(_, Some(text)) => match *text {
                Val::String(text) => Ok(Err(text)),
                other => wasmtime::bail!("an error case carried {other:?}"),
            },
            Val::Variant(case, None) => Ok(Err(case)),
            other => wasmtime::bail!("an error that is no variant: {other:?}"),
        },
        other => wasmtime::bail!("not a result: {other:?}"),
    }
}

/// What memkv-redis runs with: WASI 0.2 with TCP and name lookups allowed, and the environment
/// that names its server (`MEMKV_REDIS_URL` or `MEMKV_REDIS_CLUSTER`, `MEMKV_REDIS_PREFIX`).
pub struct Network {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl Network {
    /// Networking allowed, and `env` as the environment.
    pub fn new(env: &[(&str, &str)]) -> Self {
        Self {
            ctx: network_ctx(env),
            table: ResourceTable::new(),
        }
    }
}

/// The WASI context memkv-redis needs: TCP and name lookups allowed, `env` as the environment.
pub fn network_ctx(env: &[(&str, &str)]) -> WasiCtx {
    let mut ctx = WasiCtx::builder();
    ctx.inherit_network()
        .allow_tcp(true)
        .allow_ip_name_lookup(true);
    for (name, value) in env {
        ctx.env(name, value);
    }
    ctx.build()
}

impl WasiView for Network {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

impl Compiled {
    /// Compile the embedded `memkv.wasm` for `engine` (or load it from the engine's cache).
    pub fn new(engine: &Engine) -> Result<Self> {
        let component = Component::new(engine, MEMKV)?;
        let pre = MemkvPre::new(Linker::new(engine).instantiate_pre(&component)?)?;
        Ok(Self {
            component,
            pre,
            redis: OnceLock::new(),
            clocked: OnceLock::new(),
        })
    }

    /// A fresh instance of the embedded `memkv-p3.wasm`, with an empty store of its own and the
    /// host's wall clock: the in-memory store in which keys can have lifetimes (waSCC's
    /// `expires`, wasmCloud 0.2's `ttl-ms`), kept in its snapshots. Its sync interfaces are
    /// called as `memkv.wasm`'s are. It needs an engine with concurrency support
    /// ([`async_engine`]); on another, this is an error.
    pub fn instantiate_clocked(&self) -> Result<MemkvInstance<Clock>> {
        let pre = match self.clocked.get() {
            Some(pre) => pre,
            None => {
                let pre = self.pre_with_wasi(MEMKV_P3)?;
                self.clocked.get_or_init(|| pre)
            }
        };
        MemkvInstance::new(pre, Store::new(self.engine(), Clock::new()))
    }

    /// `component`, compiled for this engine and linked to WASI 0.2.
    fn pre_with_wasi<T: WasiView + 'static>(&self, component: &[u8]) -> Result<MemkvPre<T>> {
        let engine = self.engine();
        let mut linker = Linker::new(engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        let component = Component::new(engine, component)?;
        MemkvPre::new(linker.instantiate_pre(&component)?)
    }

    /// A fresh instance of the embedded `memkv-redis.wasm` with `env` as its environment
    /// (compiled, or loaded from the engine's cache, on first use).
    pub fn instantiate_redis(&self, env: &[(&str, &str)]) -> Result<MemkvInstance<Network>> {
        let pre = match self.redis.get() {
            Some(pre) => pre,
            None => {
                let pre = self.pre_with_wasi(MEMKV_REDIS)?;
                self.redis.get_or_init(|| pre)
            }
        };
        MemkvInstance::new(pre, Store::new(self.engine(), Network::new(env)))
    }

    /// The compiled component.
    pub fn component(&self) -> &Component {
        &self.component
    }

    /// The engine it was compiled for.
    pub fn engine(&self) -> &Engine {
        self.pre.engine()
    }

    /// A fresh instance, with an empty store of its own.
    pub fn instantiate(&self) -> Result<MemkvInstance<()>> {
        MemkvInstance::new(&self.pre, Store::new(self.engine(), ()))
    }
}

/// The message of an `error::other`, or the name of the other variants, for display.
pub fn describe(error: &Error) -> String {
    match error {
        Error::NoSuchStore => "no-such-store".into(),
        Error::AccessDenied => "access-denied".into(),
        Error::Other(message) => format!("other({message:?})"),
    }
}
