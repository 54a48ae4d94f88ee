//! # host-test
//!
//! The test rig of memkv: it loads the components that `memkv-artifacts` built into wasmtime and
//! gives the tests and benchmarks one way to instantiate and call them. Nothing here ships; the
//! `memkv` command is `memkv-cli`; the embedding library, whose typed views ([`MemkvInstance`]) the
//! rig calls through, is `memkv-host`.
//!
//! - [`Harness`]: `memkv.wasm`, compiled once, instantiated cheaply, each instance a
//!   [`MemkvInstance`] with a typed view per exported interface; [`Supervised`] replaces an
//!   instance that traps with a fresh one.
//! - [`Harness::redis`] and [`Harness::redis_cluster`]: `memkv-redis.wasm` with WASI
//!   networking, each instance on a store of its own (a fresh key prefix) in one
//!   [`redis::RedisServer`], or one local 3-node [`redis::RedisCluster`], the process starts;
//!   the same suites run against both. [`Harness::instantiate_on`] gives instances that share
//!   a store.
//! - [`GolemHarness`]: `memkv-golem.wasm`, whose instances ([`GolemInstance`]) also have the
//!   Golem dialect's view; the main artifact's instances have none, so calling the dialect on
//!   them does not compile.
//! - [`Guests`]: the rig's guests — `kv-client` (the Golem example service over the standard
//!   store) and `kv-bench` (loops that run inside wasm) — either composed with memkv or served by
//!   wasmtime's host-side store, `wasmtime-wasi-keyvalue`; `kv-client` also composed with
//!   memkv-redis ([`Guests::client_on_redis`]).
//!
//! ```no_run
//! let mut memkv = host_test::Harness::shared().instantiate()?;
//! memkv.api().set("b", "k", b"v")?;
//! let mut draft = memkv.draft();
//! let bucket = draft.open("b")?.expect("open never fails");
//! assert_eq!(draft.get(bucket, "k")?.expect("get never fails"), Some(b"v".to_vec()));
//! draft.drop_bucket(bucket)?;
//! # wasmtime::Result::<()>::Ok(())
//! ```
//!
//! Every call returns two levels of result: the outer [`wasmtime::Result`] is `Err` only if the
//! component trapped, the inner one is the interface's own result.

pub mod golem;
pub mod guests;
mod harness;
pub mod js;
pub mod redis;
pub mod serve;
mod supervise;

use wasmtime::component::{ComponentNamedList, Instance, Lift, Lower, ResourceTable, TypedFunc};
use wasmtime::{AsContextMut, Engine, ResourceLimiter, Result, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_keyvalue::{WasiKeyValue, WasiKeyValueCtx};

pub use golem::{GolemHarness, GolemInstance};
pub use guests::{
    BenchInstance, ClientInstance, CommandRun, Guests, Provider, WasmcloudClient, WasmcloudOps,
};
pub use harness::{Harness, ModelClock};
pub use memkv_host::{
    Composition, Entry, Found, Listing, MemkvInstance, Side, bindings, component_names, compose,
    describe,
};
pub use supervise::{Supervised, Trapped};

use bindings::exports::wasi::keyvalue0_2_0_draft::store::Error;

/// `golem:examples/api`, whoever serves it: memkv itself, or a client guest over some store.
/// Lets one suite of tests run against every provider.
pub trait KeyValueApi {
    /// `get(bucket, key)`.
    fn get(&mut self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>>;
    /// `set(bucket, key, value)`.
    fn set(&mut self, bucket: &str, key: &str, value: &[u8]) -> Result<()>;
}

impl KeyValueApi for MemkvInstance<HostState> {
    fn get(&mut self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>> {
        self.api().get(bucket, key)
    }

    fn set(&mut self, bucket: &str, key: &str, value: &[u8]) -> Result<()> {
        self.api().set(bucket, key, value)
    }
}

/// The host's per-store state: what wasmtime's host-side key-value store needs (used only when
/// it serves a guest), the WASI context memkv-redis reaches its server through (empty for
/// everything else), and a record of linear-memory use.
pub struct HostState {
    table: ResourceTable,
    keyvalue: WasiKeyValueCtx,
    wasi: WasiCtx,
    memory: MemoryUse,
}

impl Default for HostState {
    fn default() -> Self {
        Self::with_wasi(WasiCtx::builder().build())
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl HostState {
    /// State whose WASI context is `wasi`.
    pub fn with_wasi(wasi: WasiCtx) -> Self {
        Self {
            table: ResourceTable::new(),
            keyvalue: WasiKeyValueCtx::builder().build(),
            wasi,
            memory: MemoryUse::default(),
        }
    }

    /// The view `wasmtime-wasi-keyvalue` works through.
    fn keyvalue(&mut self) -> WasiKeyValue<'_> {
        WasiKeyValue::new(&self.keyvalue, &mut self.table)
    }

    /// Bytes of linear memory the store's instances hold now, all memories together.
    pub fn memory_bytes(&self) -> usize {
        self.memory.current
    }

    /// How many times a linear memory of the store's instances has grown (`memory.grow`).
    pub fn memory_grows(&self) -> usize {
        self.memory.grows
    }
}

/// Counts linear-memory growth, and refuses growth past `cap` if there is one.
#[derive(Debug, Default)]
struct MemoryUse {
    current: usize,
    grows: usize,
    cap: Option<usize>,
}

impl ResourceLimiter for MemoryUse {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> Result<bool> {
        let grown = self.current + desired.saturating_sub(current);
        if self.cap.is_some_and(|cap| grown > cap) {
            return Ok(false);
        }
        self.current = grown;
        self.grows += 1;
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _max: Option<usize>,
    ) -> Result<bool> {
        Ok(true)
    }
}

/// A store with `state`, its memory growth recorded and capped at `max_memory_bytes` if given.
fn new_store(
    engine: &Engine,
    state: HostState,
    max_memory_bytes: Option<usize>,
) -> Store<HostState> {
    let mut store = Store::new(engine, state);
    store.data_mut().memory.cap = max_memory_bytes;
    store.limiter(|state| &mut state.memory);
    store
}

/// The engine the rig uses: the `memkv` command's (concurrency support off), without a
/// compilation cache. The workspace builds wasmtime without `component-model-async`, where that
/// is already the default; with host-test's `wasmtime-defaults` feature it is compiled in, and
/// this keeps it off so the rig measures the same engine either way (see BENCHMARKS.md).
pub fn engine() -> Result<Engine> {
    memkv_host::engine(memkv_host::CacheUse::Off)
}

/// The value of `key` in the bucket `bucket` of a snapshot (memkv's format), if there is one.
pub fn snapshot_value(snapshot: &[u8], bucket: &str, key: &str) -> Result<Option<Vec<u8>>> {
    let (store, _) = memkv::store::Store::load_with(snapshot)?;
    let Some(id) = store.find(bucket) else {
        return Ok(None);
    };
    Ok(store.get(id, key)?.map(<[u8]>::to_vec))
}

/// The deadline a snapshot gives `key` of the bucket `bucket` (milliseconds since the epoch), if
/// the key has a lifetime.
pub fn snapshot_deadline(snapshot: &[u8], bucket: &str, key: &str) -> Result<Option<u64>> {
    let (_, deadlines) = memkv::store::Store::load_with(snapshot)?;
    Ok(deadlines
        .iter()
        .find(|deadline| &*deadline.bucket == bucket && &*deadline.key == key)
        .map(|deadline| deadline.at))
}

/// Milliseconds since the epoch, now, by the wall clock: what deadlines are counted in.
pub fn now_ms() -> u64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is past 1970");
    u64::try_from(since.as_millis()).expect("before the year 584 million")
}

/// How long `f` takes; its answer is kept from the optimizer (the guests' loops return a count
/// that depends on every call). For the benchmarks' `iter_custom` rows.
pub fn timed<T>(f: impl FnOnce() -> T) -> std::time::Duration {
    let start = std::time::Instant::now();
    std::hint::black_box(f());
    start.elapsed()
}

/// The typed function `name` that `instance` exports: at the top level, or inside the exported
/// interface `interface`.
pub fn exported<P, R>(
    mut store: impl AsContextMut,
    instance: &Instance,
    interface: Option<&str>,
    name: &str,
) -> Result<TypedFunc<P, R>>
where
    P: ComponentNamedList + Lower,
    R: ComponentNamedList + Lift,
{
    let within = match interface {
        Some(interface) => Some(
            instance
                .get_export_index(&mut store, None, interface)
                .ok_or_else(|| wasmtime::format_err!("the component exports no {interface}"))?,
        ),
        None => None,
    };
    let index = instance
        .get_export_index(&mut store, within.as_ref(), name)
        .ok_or_else(|| {
            wasmtime::format_err!("{} exports no {name}", interface.unwrap_or("the component"))
        })?;
    instance.get_typed_func(&mut store, index)
}

/// The message of an `error::other`; panics (failing the test that calls it) on success or on
/// any other variant.
pub fn expect_other<T: std::fmt::Debug>(result: std::result::Result<T, Error>) -> String {
    match result {
        Err(Error::Other(message)) => message,
        Err(error) => panic!("expected error::other, got {}", describe(&error)),
        Ok(value) => panic!("expected error::other, got ok({value:?})"),
    }
}
