//! # host-test
//!
//! The native side of memkv: it embeds wasmtime, loads the components that `build.rs` built, and
//! gives tests, benchmarks and the `memkv` tool one way to instantiate and call them.
//!
//! - [`Harness`] / [`Instance`]: the memkv component on its own, called from the host;
//!   [`Supervised`] replaces an instance that traps with a fresh one; [`DataFile`] keeps a
//!   store in a snapshot file between runs.
//! - [`compose()`]: plug memkv into any guest that imports what it exports (`wac-graph`).
//! - [`Guests`]: the repository's guests — `kv-client` (the Golem example service over the
//!   standard store) and `kv-bench` (loops that run inside wasm) — either composed with memkv or
//!   served by wasmtime's host-side store, `wasmtime-wasi-keyvalue`.
//!
//! ```no_run
//! let harness = host_test::Harness::load()?;
//! let mut memkv = harness.instantiate()?;
//! memkv.api_set("b", "k", b"v")?;
//! let bucket = memkv.open("b")?.expect("open never fails");
//! assert_eq!(memkv.get(bucket, "k")?.expect("get never fails"), Some(b"v".to_vec()));
//! memkv.drop_bucket(bucket)?;
//! # wasmtime::Result::<()>::Ok(())
//! ```
//!
//! Every call returns two levels of result: the outer [`wasmtime::Result`] is `Err` only if the
//! component trapped, the inner one is the interface's own result.

mod compose;
mod data_file;
pub mod draft2;
pub mod golem;
pub mod guests;
mod memkv;
mod supervise;

use wasmtime::component::ResourceTable;
use wasmtime::{Config, Engine, ResourceLimiter, Result, Store};
use wasmtime_wasi_keyvalue::{WasiKeyValue, WasiKeyValueCtx};

pub use compose::{Composition, Side, component_names, compose};
pub use data_file::{DataFile, write_atomically};
pub use guests::{BenchInstance, ClientInstance, Guests, KV_BENCH_PATH, KV_CLIENT_PATH, Provider};
pub use memkv::{Harness, Instance};
pub use supervise::{Supervised, Trapped};

/// Host bindings of the world `memkv:store/memkv`, generated from the workspace's `wit/`.
#[allow(missing_docs, reason = "generated code; the WIT documents it")]
pub mod bindings {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "memkv:store/memkv",
        additional_derives: [PartialEq, Eq],
    });
}

use bindings::exports::wasi::keyvalue0_2_0_draft::store::Error;

/// Where `build.rs` wrote the memkv component, inside this crate's `OUT_DIR`.
pub const COMPONENT_PATH: &str = env!("MEMKV_COMPONENT");

/// The copy of the component that `build.rs` leaves for users, normally `target/memkv.wasm`
/// (`None` if it could not be written).
pub const COMPONENT_COPY_PATH: Option<&str> = option_env!("MEMKV_COMPONENT_COPY");

/// A key and its value, as `batch` passes them.
pub type Entry = (String, Vec<u8>);

/// A whole `list-keys` listing, followed cursor by cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// Every key, in the order the pages gave them.
    pub keys: Vec<String>,
    /// How many keys each page held.
    pub page_sizes: Vec<usize>,
}

/// `golem:examples/api`, whoever serves it: memkv itself, or a client guest over some store.
/// Lets one suite of tests run against every provider.
pub trait KeyValueApi {
    /// `get(bucket, key)`.
    fn get(&mut self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>>;
    /// `set(bucket, key, value)`.
    fn set(&mut self, bucket: &str, key: &str, value: &[u8]) -> Result<()>;
}

/// The host's per-store state: what wasmtime's host-side key-value store needs (used only when
/// it serves a guest), and a record of linear-memory use.
pub struct HostState {
    table: ResourceTable,
    keyvalue: WasiKeyValueCtx,
    memory: MemoryUse,
}

impl Default for HostState {
    fn default() -> Self {
        Self {
            table: ResourceTable::new(),
            keyvalue: WasiKeyValueCtx::builder().build(),
            memory: MemoryUse::default(),
        }
    }
}

impl HostState {
    /// The view `wasmtime-wasi-keyvalue` works through.
    fn keyvalue(&mut self) -> WasiKeyValue<'_> {
        WasiKeyValue::new(&self.keyvalue, &mut self.table)
    }

    /// Bytes of linear memory the store's instances hold now, all memories together.
    pub fn memory_bytes(&self) -> usize {
        self.memory.current
    }
}

/// Counts linear-memory growth, and refuses growth past `cap` if there is one.
#[derive(Debug, Default)]
struct MemoryUse {
    current: usize,
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

/// A store with fresh [`HostState`], its memory growth recorded.
fn new_store(engine: &Engine) -> Store<HostState> {
    let mut store = Store::new(engine, HostState::default());
    store.limiter(|state| &mut state.memory);
    store
}

/// The engine the harness uses: wasmtime's defaults, with concurrency support off. The workspace
/// builds wasmtime without `component-model-async`, where that is already the default; with
/// host-test's `wasmtime-defaults` feature it is compiled in, and this keeps it off so the
/// harness measures the same engine either way (see BENCHMARKS.md).
pub fn engine() -> Result<Engine> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.concurrency_support(false);
    Engine::new(&config)
}

/// The message of an `error::other`, or a description of the other variants, for display.
pub fn describe(error: &Error) -> String {
    match error {
        Error::NoSuchStore => "no-such-store".into(),
        Error::AccessDenied => "access-denied".into(),
        Error::Other(message) => format!("other({message:?})"),
    }
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
