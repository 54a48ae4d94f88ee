//! `memkv.wasm` (or `memkv-redis.wasm`) on its own: compiled once, instantiated cheaply, called
//! directly.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Result};

use crate::bindings::MemkvPre;
use crate::redis::{RedisCluster, RedisServer};
use crate::{HostState, MemkvInstance, engine, new_store};

/// A wall clock that stands still until it is moved: [`ModelClock::advance`]. Clones share it.
#[derive(Debug, Clone)]
pub struct ModelClock(Arc<AtomicU64>);

impl ModelClock {
    /// A clock at `ms` milliseconds since the epoch.
    pub fn at(ms: u64) -> Self {
        Self(Arc::new(AtomicU64::new(ms)))
    }

    /// Where it stands: milliseconds since the epoch.
    pub fn now_ms(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Move it on by `ms` milliseconds.
    pub fn advance(&self, ms: u64) {
        self.0.fetch_add(ms, Ordering::Relaxed);
    }

    /// A WASI context with nothing but this clock as its wall clock.
    pub fn wasi(&self) -> wasmtime_wasi::WasiCtx {
        wasmtime_wasi::WasiCtx::builder()
            .wall_clock(self.clone())
            .build()
    }
}

impl wasmtime_wasi::HostWallClock for ModelClock {
    fn resolution(&self) -> Duration {
        Duration::from_millis(1)
    }

    fn now(&self) -> Duration {
        Duration::from_millis(self.0.load(Ordering::Relaxed))
    }
}

/// A memkv artifact, compiled once and ready to be instantiated cheaply, many times.
pub struct Harness {
    /// The artifact's bytes, for guests to compose with.
    artifact: &'static [u8],
    component: Component,
    pre: MemkvPre<HostState>,
    /// For memkv-redis: the server its instances use.
    redis: Option<RedisTarget>,
}

/// Where memkv-redis instances keep their stores: the variable that names the server (or the
/// cluster) and its value, and a counter that gives each fresh instance a key prefix of its own.
struct RedisTarget {
    variable: &'static str,
    server: String,
    stores: AtomicU64,
}

impl RedisTarget {
    fn new(variable: &'static str, server: &str) -> Self {
        Self {
            variable,
            server: server.to_owned(),
            stores: AtomicU64::new(0),
        }
    }
}

impl Harness {
    /// Compile `memkv.wasm` with [`engine`].
    pub fn load() -> Result<Self> {
        Self::with_engine(&engine()?)
    }

    /// Compile `memkv.wasm` with `engine`.
    pub fn with_engine(engine: &Engine) -> Result<Self> {
        Self::compile(&Linker::new(engine), memkv_artifacts::MEMKV)
    }

    /// One harness per process, compiled on first use: tests share it.
    pub fn shared() -> &'static Self {
        static SHARED: OnceLock<Harness> = OnceLock::new();
        SHARED.get_or_init(|| Self::load().expect("memkv.wasm compiles"))
    }

    /// Compile the memkv artifact `bytes`, to be linked with `linker`.
    pub(crate) fn compile(linker: &Linker<HostState>, bytes: &'static [u8]) -> Result<Self> {
        let component = Component::new(linker.engine(), bytes)?;
        let pre = MemkvPre::new(linker.instantiate_pre(&component)?)?;
        Ok(Self {
            artifact: bytes,
            component,
            pre,
            redis: None,
        })
    }

    /// `memkv-p3.wasm` (the in-memory store with a wall clock, so keys can have lifetimes),
    /// compiled once per process on an engine with concurrency support, linked with WASI 0.2.
    /// Its sync interfaces are called as `memkv.wasm`'s are; give each instance its clock with
    /// [`Harness::instantiate_with_wasi`] (a [`ModelClock`], say).
    pub fn clocked() -> &'static Self {
        static SHARED: OnceLock<Harness> = OnceLock::new();
        SHARED.get_or_init(|| {
            let compiled = (|| {
                let engine = memkv_host::async_engine(memkv_host::CacheUse::Off)?;
                let mut linker = Linker::new(&engine);
                wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
                Self::compile(&linker, memkv_artifacts::MEMKV_P3)
            })();
            compiled.expect("memkv-p3.wasm compiles")
        })
    }

    /// Compile `memkv-redis.wasm` with [`engine`], linked with WASI 0.2 (networking allowed), its
    /// instances using the server at `url`.
    pub fn redis_at(url: &str) -> Result<Self> {
        let mut linker = Linker::new(&engine()?);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        let mut harness = Self::compile(&linker, memkv_artifacts::MEMKV_REDIS)?;
        harness.redis = Some(RedisTarget::new("MEMKV_REDIS_URL", url));
        Ok(harness)
    }

    /// memkv-redis on one server per process, started on first use: tests share it, each
    /// instance on a store of its own.
    pub fn redis() -> &'static Self {
        static SHARED: OnceLock<Harness> = OnceLock::new();
        SHARED.get_or_init(|| Self::redis_at(Self::redis_url()).expect("memkv-redis.wasm compiles"))
    }

    /// The URL of the `redis-server` [`Harness::redis`]'s instances use, started on first use.
    pub fn redis_url() -> &'static str {
        static SERVER: OnceLock<(RedisServer, String)> = OnceLock::new();
        let (_, url) = SERVER.get_or_init(|| {
            let server = RedisServer::start().unwrap_or_else(|error| panic!("{error:#}"));
            let url = server.url();
            (server, url)
        });
        url
    }

    /// memkv-redis on one local 3-node Redis Cluster per process, started on first use (the
    /// component compiled once with [`Harness::redis`]'s).
    pub fn redis_cluster() -> &'static Self {
        static SHARED: OnceLock<Harness> = OnceLock::new();
        SHARED.get_or_init(|| {
            let single = Self::redis();
            Self {
                artifact: single.artifact,
                component: single.component.clone(),
                pre: single.pre.clone(),
                redis: Some(RedisTarget::new(
                    "MEMKV_REDIS_CLUSTER",
                    &Self::cluster().seeds(),
                )),
            }
        })
    }

    /// The Redis Cluster [`Harness::redis_cluster`]'s instances use, started on first use.
    pub fn cluster() -> &'static RedisCluster {
        static CLUSTER: OnceLock<RedisCluster> = OnceLock::new();
        CLUSTER.get_or_init(|| RedisCluster::start(3).unwrap_or_else(|error| panic!("{error:#}")))
    }

    /// A fresh memkv-redis instance on the store under `prefix`: instances given the same
    /// prefix share one store, as instances of an application do. An error for the in-memory
    /// artifacts, whose instances share nothing.
    pub fn instantiate_on(&self, prefix: &str) -> Result<MemkvInstance<HostState>> {
        let Some(redis) = &self.redis else {
            wasmtime::bail!("only memkv-redis instances share a store");
        };
        self.instantiate_with_env(&[
            (redis.variable, &redis.server),
            ("MEMKV_REDIS_PREFIX", prefix),
        ])
    }

    /// A fresh memkv-redis instance whose environment says `MEMKV_REDIS_URL=url` and
    /// `MEMKV_REDIS_PREFIX=prefix`.
    pub fn instantiate_at(&self, url: &str, prefix: &str) -> Result<MemkvInstance<HostState>> {
        self.instantiate_with_env(&[("MEMKV_REDIS_URL", url), ("MEMKV_REDIS_PREFIX", prefix)])
    }

    /// A fresh instance with `env` as its environment, TCP and name lookups allowed.
    pub fn instantiate_with_env(&self, env: &[(&str, &str)]) -> Result<MemkvInstance<HostState>> {
        self.instantiate_with_wasi(memkv_host::network_ctx(env))
    }

    /// A fresh instance with `wasi` as its WASI context.
    pub fn instantiate_with_wasi(
        &self,
        wasi: wasmtime_wasi::WasiCtx,
    ) -> Result<MemkvInstance<HostState>> {
        MemkvInstance::new(
            &self.pre,
            new_store(self.engine(), HostState::with_wasi(wasi), None),
        )
    }

    /// What a guest composed with this harness's artifact needs for a store of its own: the
    /// artifact's bytes, and its environment (for memkv-redis, the server and a fresh prefix;
    /// nothing for the in-memory artifacts).
    pub fn guest_store(&self) -> (&'static [u8], Vec<(String, String)>) {
        let env = match &self.redis {
            Some(redis) => {
                let n = redis.stores.fetch_add(1, Ordering::Relaxed);
                vec![
                    (redis.variable.to_owned(), redis.server.clone()),
                    (
                        "MEMKV_REDIS_PREFIX".to_owned(),
                        format!("guest-{}-{n}", std::process::id()),
                    ),
                ]
            }
            None => Vec::new(),
        };
        (self.artifact, env)
    }

    /// Whether this is memkv-redis.
    pub fn is_redis(&self) -> bool {
        self.redis.is_some()
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

    /// A fresh instance, with an empty store of its own (for memkv-redis: a new key prefix on
    /// the server).
    pub fn instantiate(&self) -> Result<MemkvInstance<HostState>> {
        match &self.redis {
            Some(redis) => {
                let n = redis.stores.fetch_add(1, Ordering::Relaxed);
                self.instantiate_on(&format!("test-{}-{n}", std::process::id()))
            }
            None => self.instantiate_capped(None),
        }
    }

    /// A fresh instance whose linear memory may not grow past `max_memory_bytes` (when given):
    /// a growth past it fails inside the component, as running out of memory would.
    pub fn instantiate_capped(
        &self,
        max_memory_bytes: Option<usize>,
    ) -> Result<MemkvInstance<HostState>> {
        MemkvInstance::new(
            &self.pre,
            new_store(self.engine(), HostState::default(), max_memory_bytes),
        )
    }
}
