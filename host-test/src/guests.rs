//! The repository's guests, which import `wasi:keyvalue@0.2.0-draft` and keep no data of their
//! own, served by either provider:
//!
//! - [`Provider::Memkv`]: memkv plugged in with [`compose()`](crate::compose()); the composition
//!   imports nothing;
//! - [`Provider::HostStore`]: the guest unmodified, its imports served by wasmtime's host-side
//!   `wasmtime-wasi-keyvalue`, which knows one bucket, `""`, and gives every `open` a private copy
//!   of it.

use std::sync::OnceLock;

use anyhow::{Result, bail};
use wasmtime::component::{Component, ComponentType, Lift, Linker, Lower};
use wasmtime::{Engine, Store};

use crate::{Composition, HostState, KeyValueApi, compose, engine, exported, new_store};

/// Host bindings of the world `memkv:fixtures/kv-client`.
#[allow(missing_docs, reason = "generated code; the WIT documents it")]
pub mod client_bindings {
    wasmtime::component::bindgen!({
        path: ["../wit", "wit"],
        world: "memkv:fixtures/kv-client",
    });
}

/// Host bindings of the world `memkv:fixtures/kv-bench`.
#[allow(missing_docs, reason = "generated code; the WIT documents it")]
pub mod bench_bindings {
    wasmtime::component::bindgen!({
        path: ["../wit", "wit"],
        world: "memkv:fixtures/kv-bench",
    });
}

use bench_bindings::{KvBench, KvBenchPre};
use client_bindings::{KvClient, KvClientPre};

/// Who serves a guest's `wasi:keyvalue` imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// memkv, composed into the guest.
    Memkv,
    /// wasmtime's host-side store (`wasmtime-wasi-keyvalue`); only the bucket `""` exists.
    HostStore,
}

impl Provider {
    /// Both providers, memkv first.
    pub const ALL: [Provider; 2] = [Provider::Memkv, Provider::HostStore];

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Memkv => "memkv (composed)",
            Provider::HostStore => "wasmtime-wasi-keyvalue (host)",
        }
    }
}

/// The guests, compiled on first use for each provider, ready to instantiate.
pub struct Guests {
    engine: Engine,
    client: [OnceLock<KvClientPre<HostState>>; 2],
    bench: [OnceLock<KvBenchPre<HostState>>; 2],
    client_on_redis: OnceLock<KvClientPre<HostState>>,
    /// The engine for async guests and artifacts, made on first use.
    async_engine: OnceLock<Engine>,
}

impl Guests {
    /// The guests, for [`engine`].
    pub fn load() -> Result<Self> {
        Ok(Self::with_engine(&engine()?))
    }

    /// The guests, for `engine`.
    pub fn with_engine(engine: &Engine) -> Self {
        Self {
            engine: engine.clone(),
            client: Default::default(),
            bench: Default::default(),
            client_on_redis: OnceLock::new(),
            async_engine: OnceLock::new(),
        }
    }

    /// One set of guests per process, loaded on first use: tests share it.
    pub fn shared() -> &'static Self {
        static SHARED: OnceLock<Guests> = OnceLock::new();
        SHARED.get_or_init(|| Self::load().expect("an engine can be made"))
    }

    /// The engine everything is compiled for.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The component to run for the guest `bytes` with `provider`: composed with memkv, or as
    /// it is.
    pub fn component(&self, guest: &[u8], provider: Provider) -> Result<Component> {
        let bytes = match provider {
            Provider::HostStore => guest.to_vec(),
            Provider::Memkv => {
                let composition = compose(guest, memkv_artifacts::MEMKV)?;
                if !composition.unsatisfied.is_empty() {
                    bail!(
                        "memkv left imports unsatisfied: {:?}",
                        composition.unsatisfied
                    );
                }
                composition.bytes
            }
        };
        Ok(Component::new(&self.engine, bytes)?)
    }

    /// A linker for `provider`: empty for memkv, wasmtime's host store otherwise.
    fn linker(&self, provider: Provider) -> Result<Linker<HostState>> {
        let mut linker = Linker::new(&self.engine);
        if provider == Provider::HostStore {
            wasmtime_wasi_keyvalue::add_to_linker(&mut linker, HostState::keyvalue)?;
        }
        Ok(linker)
    }

    /// A fresh `kv-client` with `provider` serving its store.
    pub fn client(&self, provider: Provider) -> Result<ClientInstance> {
        let pre = get_or_try_init(&self.client[provider as usize], || {
            let component = self.component(memkv_artifacts::KV_CLIENT, provider)?;
            Ok(KvClientPre::new(
                self.linker(provider)?.instantiate_pre(&component)?,
            )?)
        })?;
        ClientInstance::instantiate(pre)
    }

    /// A fresh `kv-bench` with `provider` serving its store.
    pub fn bench(&self, provider: Provider) -> Result<BenchInstance> {
        let pre = get_or_try_init(&self.bench[provider as usize], || {
            let component = self.component(memkv_artifacts::KV_BENCH, provider)?;
            Ok(KvBenchPre::new(
                self.linker(provider)?.instantiate_pre(&component)?,
            )?)
        })?;
        let mut store = new_store(&self.engine, HostState::default(), None);
        let bench = pre.instantiate(&mut store)?;
        Ok(BenchInstance { store, bench })
    }
}

impl Guests {
    /// A fresh `kv-client` with memkv-redis composed in (`memkv compose --redis`), its WASI
    /// imports served by wasmtime-wasi with `env` as the environment (`MEMKV_REDIS_URL`,
    /// `MEMKV_REDIS_PREFIX`): instances given the same server and prefix share one store.
    pub fn client_on_redis(&self, env: &[(&str, &str)]) -> Result<ClientInstance> {
        let pre = get_or_try_init(&self.client_on_redis, || {
            let composition = compose(memkv_artifacts::KV_CLIENT, memkv_artifacts::MEMKV_REDIS)?;
            let (component, linker) = self.with_wasi(composition)?;
            Ok(KvClientPre::new(linker.instantiate_pre(&component)?)?)
        })?;
        let wasi = memkv_host::network_ctx(env);
        let mut store = new_store(&self.engine, HostState::with_wasi(wasi), None);
        let client = pre.instantiate(&mut store)?;
        Ok(ClientInstance { store, client })
    }
}

impl Guests {
    /// `composition`'s component, refused if it left an import that is not WASI's, and a linker
    /// that serves its WASI 0.2 imports.
    fn with_wasi(&self, composition: Composition) -> Result<(Component, Linker<HostState>)> {
        only_wasi_left(&composition)?;
        let component = Component::new(&self.engine, composition.bytes)?;
        let mut linker = Linker::new(&self.engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        Ok((component, linker))
    }
}

/// Refuse a composition that left an import WASI does not provide.
fn only_wasi_left(composition: &Composition) -> Result<()> {
    only_wasi_and(composition, &[])
}

/// Like [`only_wasi_left`], but also leaves `also` (what the artifact imports itself).
fn only_wasi_and(composition: &Composition, also: &[String]) -> Result<()> {
    match composition
        .unsatisfied
        .iter()
        .find(|name| !memkv_host::is_wasi(name) && !also.contains(name))
    {
        Some(other) => {
            bail!("memkv left an import unsatisfied that WASI does not provide: {other}")
        }
        None => Ok(()),
    }
}

/// `OnceLock::get_or_try_init`, which is not stable yet.
pub(crate) fn get_or_try_init<T>(
    cell: &OnceLock<T>,
    init: impl FnOnce() -> Result<T>,
) -> Result<&T> {
    if let Some(value) = cell.get() {
        return Ok(value);
    }
    let value = init()?;
    Ok(cell.get_or_init(|| value))
}

/// One instance of `kv-client` (or of another guest exporting `golem:examples/api`, such as the
/// Golem docs' example): the api served through the guest.
pub struct ClientInstance {
    store: Store<HostState>,
    client: KvClient,
}

impl ClientInstance {
    /// Instantiate `pre`, any component exporting `golem:examples/api`.
    pub(crate) fn instantiate(pre: &KvClientPre<HostState>) -> Result<Self> {
        let mut store = new_store(pre.engine(), HostState::default(), None);
        let client = pre.instantiate(&mut store)?;
        Ok(Self { store, client })
    }
}

impl KeyValueApi for ClientInstance {
    fn get(&mut self, bucket: &str, key: &str) -> wasmtime::Result<Option<Vec<u8>>> {
        self.client
            .golem_examples_api()
            .call_get(&mut self.store, bucket, key)
    }

    fn set(&mut self, bucket: &str, key: &str, value: &[u8]) -> wasmtime::Result<()> {
        self.client
            .golem_examples_api()
            .call_set(&mut self.store, bucket, key, value)
    }
}

/// One instance of `kv-bench`; see the `memkv:fixtures/bench` interface for what each loop does.
pub struct BenchInstance {
    store: Store<HostState>,
    bench: KvBench,
}

#[allow(
    missing_docs,
    reason = "each method is the bench export of the same name"
)]
impl BenchInstance {
    pub fn setup(&mut self, bucket: &str, count: u32, value_size: u32) -> Result<()> {
        let api = self.bench.memkv_fixtures_bench();
        match api.call_setup(&mut self.store, bucket, count, value_size)? {
            Ok(()) => Ok(()),
            Err(message) => bail!("bench setup failed: {message}"),
        }
    }

    pub fn set_loop(&mut self, count: u32) -> wasmtime::Result<u32> {
        let api = self.bench.memkv_fixtures_bench();
        api.call_set_loop(&mut self.store, count)
    }

    pub fn get_loop(&mut self, count: u32) -> wasmtime::Result<u32> {
        let api = self.bench.memkv_fixtures_bench();
        api.call_get_loop(&mut self.store, count)
    }

    pub fn exists_loop(&mut self, count: u32) -> wasmtime::Result<u32> {
        let api = self.bench.memkv_fixtures_bench();
        api.call_exists_loop(&mut self.store, count)
    }

    pub fn empty_loop(&mut self, count: u32) -> wasmtime::Result<u32> {
        let api = self.bench.memkv_fixtures_bench();
        api.call_empty_loop(&mut self.store, count)
    }

    pub fn exists_empty_loop(&mut self, count: u32) -> wasmtime::Result<u32> {
        let api = self.bench.memkv_fixtures_bench();
        api.call_exists_empty_loop(&mut self.store, count)
    }

    pub fn increment_loop(&mut self, count: u32) -> wasmtime::Result<u64> {
        let api = self.bench.memkv_fixtures_bench();
        api.call_increment_loop(&mut self.store, count)
    }

    pub fn get_many_loop(&mut self, calls: u32, batch: u32) -> wasmtime::Result<u32> {
        let api = self.bench.memkv_fixtures_bench();
        api.call_get_many_loop(&mut self.store, calls, batch)
    }

    pub fn set_many_loop(&mut self, calls: u32, batch: u32) -> wasmtime::Result<u32> {
        let api = self.bench.memkv_fixtures_bench();
        api.call_set_many_loop(&mut self.store, calls, batch)
    }

    pub fn list_all(&mut self) -> Result<u64> {
        let api = self.bench.memkv_fixtures_bench();
        match api.call_list_all(&mut self.store)? {
            Ok(keys) => Ok(keys),
            Err(message) => bail!("listing failed: {message}"),
        }
    }

    /// Bytes of linear memory the instance (guest and memkv, if composed) holds.
    pub fn memory_bytes(&self) -> usize {
        self.store.data().memory_bytes()
    }
}

/// Host bindings of the world `memkv:fixtures/wascc-client`.
#[allow(missing_docs, reason = "generated code; the WIT documents it")]
pub mod wascc_bindings {
    wasmtime::component::bindgen!({
        path: ["../wit", "wit"],
        world: "memkv:fixtures/wascc-client",
    });
}

impl Guests {
    /// Run the `wascc-client` guest's `check` — every function of
    /// `wasmcloud:keyvalue/key-value`, checked from inside the guest — in a fresh instance
    /// composed with memkv: the first answer that differs from the contract, if any.
    pub fn check_wascc_client(&self) -> Result<Result<(), String>> {
        let component = self.component(memkv_artifacts::WASCC_CLIENT, Provider::Memkv)?;
        let linker = Linker::new(&self.engine);
        let mut store = new_store(&self.engine, HostState::default(), None);
        let client = wascc_bindings::WasccClient::instantiate(&mut store, &component, &linker)?;
        Ok(client.call_check(&mut store)?)
    }
}

/// Host bindings of the world `memkv:fixtures/spin-v2-client`.
#[allow(missing_docs, reason = "generated code; the WIT documents it")]
pub mod spin_v2_bindings {
    wasmtime::component::bindgen!({
        path: ["../wit", "wit"],
        world: "memkv:fixtures/spin-v2-client",
    });
}

impl Guests {
    /// Run the `spin-v2-client` guest's `check` of the store `label` — every function of
    /// `fermyon:spin/key-value@2.0.0`, through the published spin-sdk 5.2.0 — composed with
    /// `memkv` (`MEMKV`, or `MEMKV_REDIS` with `env` naming its server and prefix), with memkv's
    /// interfaces exposed: the check's answer, and the store afterwards, as a snapshot.
    pub fn check_spin_v2_client(
        &self,
        memkv: &[u8],
        env: &[(&str, &str)],
        label: &str,
    ) -> Result<(Result<(), String>, Vec<u8>)> {
        let options = memkv_host::Options {
            preset: None,
            expose: true,
        };
        let composition =
            memkv_host::compose_with(memkv_artifacts::SPIN_V2_CLIENT, memkv, &options)?;
        let (component, linker) = self.with_wasi(composition)?;
        let wasi = memkv_host::network_ctx(env);
        let mut store = new_store(&self.engine, HostState::with_wasi(wasi), None);
        let instance = linker.instantiate(&mut store, &component)?;
        let client = spin_v2_bindings::SpinV2Client::new(&mut store, &instance)?;
        let checked = client.call_check(&mut store, label)?;
        let exposed = memkv_host::Exposed::new(&mut store, &instance)?;
        let snapshot = exposed.save.call_save(&mut store)?;
        Ok((checked, snapshot))
    }
}

/// What a command guest's run answered, and its store afterwards.
pub struct CommandRun {
    /// What `wasi:cli/run`'s `run` returned.
    pub ran: Result<(), ()>,
    /// The in-memory store afterwards, as a snapshot; `None` for memkv-redis, whose store is
    /// the server's.
    pub store: Option<Vec<u8>>,
}

impl Guests {
    /// Run the `spin-v3-client` guest — spin-sdk 7.0.0, `spin:key-value/key-value@3.0.0`, an async
    /// `wasi:cli/run@0.3.0` — composed with the artifact [`memkv_host::choose`] picks for it (the
    /// async `memkv-p3.wasm`, or `memkv-redis-p3.wasm` if `redis`, with `env` naming its server
    /// and prefix), on an engine with the component model's async support on. Answers what `run`
    /// returned and, for the in-memory artifact, the store afterwards as a snapshot (read through
    /// the exposed interfaces; memkv-redis's store is the server's, for the caller to read).
    pub fn check_spin_v3_client(&self, env: &[(&str, &str)], redis: bool) -> Result<CommandRun> {
        let guest = memkv_artifacts::SPIN_V3_CLIENT;
        let artifact = memkv_host::choose(guest, redis)?;
        if !artifact.p3 {
            bail!("{} was chosen for an async guest", artifact.name);
        }
        let (component, linker) = self.async_composition(guest, artifact)?;
        let mut store = self.async_store(env)?;
        wasmtime_wasi::runtime::in_tokio(async {
            let instance = linker.instantiate_async(&mut store, &component).await?;
            let run = exported::<(), (Result<(), ()>,)>(
                &mut store,
                &instance,
                Some("wasi:cli/run@0.3.0"),
                "run",
            )?;
            let (ran,) = store
                .run_concurrent(async |accessor| run.call_concurrent(accessor, ()).await)
                .await??;
            if artifact.redis {
                return Ok(CommandRun { ran, store: None });
            }
            let exposed = memkv_host::Exposed::new(&mut store, &instance)?;
            let store = Some(exposed.save.call_save(&mut store)?);
            Ok(CommandRun { ran, store })
        })
    }
}

/// `golem:api@1.5.0`'s `snapshot` record, as the host sees it.
#[derive(Debug, Clone, PartialEq, Eq, ComponentType, Lift, Lower)]
#[component(record)]
pub struct GolemSnapshot {
    /// The snapshot's bytes.
    pub payload: Vec<u8>,
    /// What they are.
    #[component(name = "mime-type")]
    pub mime_type: String,
}

/// What the `golem-p3-client` guest and the exposed snapshot interfaces answered.
#[derive(Debug)]
pub struct GolemRun {
    /// `check` of a fresh bucket.
    pub checked: Result<(), String>,
    /// `list-many` of 10^4 keys in another bucket.
    pub listed: Result<(), String>,
    /// `save-snapshot@1.5.0.save` afterwards.
    pub saved: GolemSnapshot,
    /// `load-snapshot@1.5.0.load` of the saved payload with another mime type.
    pub foreign_load: Result<(), String>,
    /// `load-snapshot@1.5.0.load` of the saved snapshot as it was.
    pub reload: Result<(), String>,
    /// `save-snapshot@1.5.0.save` after the reload.
    pub saved_again: GolemSnapshot,
}

impl Guests {
    /// `guest` composed with the async `artifact`, memkv's own interfaces exposed, ready to
    /// instantiate on the async engine ([`Guests::async_store`]): WASI 0.2 in the linker, and,
    /// for each instance the artifact imports that is not WASI's (the Golem artifacts' type-only
    /// `golem:api/host@1.5.0`, which Golem gives every component), an empty instance.
    fn async_composition(
        &self,
        guest: &[u8],
        artifact: memkv_host::Artifact,
    ) -> Result<(Component, Linker<HostState>)> {
        let options = memkv_host::Options {
            preset: None,
            expose: true,
        };
        let composition = memkv_host::compose_with(guest, artifact.bytes, &options)?;
        let own: Vec<String> = artifact
            .imports()?
            .into_iter()
            .filter(|name| !memkv_host::is_wasi(name))
            .collect();
        only_wasi_and(&composition, &own)?;
        let engine = self.async_engine()?;
        let component = Component::new(engine, composition.bytes)?;
        let mut linker = Linker::new(engine);
        // The sockets of memkv-redis, the wall clock of the in-memory async artifacts.
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        for name in &own {
            linker.instance(name)?;
        }
        Ok((component, linker))
    }

    /// The engine for async guests and artifacts, made on first use.
    fn async_engine(&self) -> Result<&Engine> {
        get_or_try_init(&self.async_engine, || {
            Ok(memkv_host::async_engine(memkv_host::CacheUse::Off)?)
        })
    }

    /// A store for one instance on the async engine, with `env` (a Redis-backed artifact's
    /// server and prefix) and the network.
    fn async_store(&self, env: &[(&str, &str)]) -> Result<Store<HostState>> {
        let wasi = memkv_host::network_ctx(env);
        Ok(new_store(
            self.async_engine()?,
            HostState::with_wasi(wasi),
            None,
        ))
    }

    /// Run the `golem-p3-client` guest (Golem's current `wasi:keyvalue@0.1.0`) composed with the
    /// artifact [`memkv_host::choose`] picks for it, its snapshot interfaces (at 1.5.0) exposed:
    /// `check` on the bucket `golem`, `list-many` of 10^4 keys on `golem-many`, then a save, a
    /// load of a foreign mime type and a load of the saved snapshot.
    pub fn check_golem_p3_client(&self, env: &[(&str, &str)], redis: bool) -> Result<GolemRun> {
        let guest = memkv_artifacts::GOLEM_P3_CLIENT;
        let artifact = memkv_host::choose(guest, redis)?;
        if !artifact.name.contains("golem-p3") {
            bail!(
                "{} was chosen for a guest of Golem's current dialect",
                artifact.name
            );
        }
        let (component, linker) = self.async_composition(guest, artifact)?;
        let mut store = self.async_store(env)?;
        wasmtime_wasi::runtime::in_tokio(async {
            let instance = linker.instantiate_async(&mut store, &component).await?;
            let check =
                exported::<(&str,), (Result<(), String>,)>(&mut store, &instance, None, "check")?;
            let list_many = exported::<(&str, u32), (Result<(), String>,)>(
                &mut store,
                &instance,
                None,
                "list-many",
            )?;
            let save = exported::<(), (GolemSnapshot,)>(
                &mut store,
                &instance,
                Some("golem:api/save-snapshot@1.5.0"),
                "save",
            )?;
            let load = exported::<(GolemSnapshot,), (Result<(), String>,)>(
                &mut store,
                &instance,
                Some("golem:api/load-snapshot@1.5.0"),
                "load",
            )?;
            store
                .run_concurrent(async |accessor| {
                    let (checked,) = check.call_concurrent(accessor, ("golem",)).await?;
                    let (listed,) = list_many
                        .call_concurrent(accessor, ("golem-many", 10_000))
                        .await?;
                    let (saved,) = save.call_concurrent(accessor, ()).await?;
                    let foreign = GolemSnapshot {
                        mime_type: "application/json".into(),
                        ..saved.clone()
                    };
                    let (foreign_load,) = load.call_concurrent(accessor, (foreign,)).await?;
                    let (reload,) = load.call_concurrent(accessor, (saved.clone(),)).await?;
                    let (saved_again,) = save.call_concurrent(accessor, ()).await?;
                    Ok(GolemRun {
                        checked,
                        listed,
                        saved,
                        foreign_load,
                        reload,
                        saved_again,
                    })
                })
                .await?
        })
    }
}

/// Host bindings of the world `memkv:fixtures/wasmcloud-ops-host`: `wasmcloud-p3-client`'s
/// exports, each `async`.
#[allow(missing_docs, reason = "generated code; the WIT documents it")]
pub mod wasmcloud_bindings {
    wasmtime::component::bindgen!({
        path: ["../wit", "wit"],
        world: "memkv:fixtures/wasmcloud-ops-host",
        exports: { default: async | store },
    });
}

/// The `wasmcloud-p3-client` guest composed with the async artifact [`memkv_host::choose`] picks
/// for it, compiled once: [`WasmcloudClient::run`] runs steps on a fresh instance of it.
pub struct WasmcloudClient {
    component: Component,
    linker: Linker<HostState>,
    env: Vec<(String, String)>,
}

/// `wasmcloud-p3-client`'s exports, on one instance.
pub type WasmcloudOps = wasmcloud_bindings::exports::memkv::fixtures::wasmcloud_ops::Guest;

impl Guests {
    /// The `wasmcloud-p3-client` guest composed with `memkv-p3.wasm`, or with
    /// `memkv-redis-p3.wasm` on the server and prefix `env` names if `redis`.
    pub fn wasmcloud_client(&self, env: &[(&str, &str)], redis: bool) -> Result<WasmcloudClient> {
        let guest = memkv_artifacts::WASMCLOUD_P3_CLIENT;
        let artifact = memkv_host::choose(guest, redis)?;
        if !artifact.p3 {
            bail!("{} was chosen for an async guest", artifact.name);
        }
        let (component, linker) = self.async_composition(guest, artifact)?;
        Ok(WasmcloudClient {
            component,
            linker,
            env: env
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect(),
        })
    }
}

/// memkv's snapshot interfaces (1.1.7), exposed by a composition with an async artifact, to call
/// with `call_concurrent`.
pub struct Snapshots {
    /// `save-snapshot.save`.
    pub save: wasmtime::component::TypedFunc<(), (Vec<u8>,)>,
    /// `load-snapshot.load`.
    pub load: wasmtime::component::TypedFunc<(Vec<u8>,), (Result<(), String>,)>,
}

impl WasmcloudClient {
    /// Run `steps` on a fresh instance: its exports, and memkv's exposed snapshot interfaces,
    /// called through `accessor`.
    pub fn run<R: Send + 'static>(
        &self,
        steps: impl AsyncFnOnce(
            &wasmtime::component::Accessor<HostState>,
            &WasmcloudOps,
            &Snapshots,
        ) -> Result<R>
        + Send,
    ) -> Result<R> {
        let env: Vec<(&str, &str)> = self
            .env
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        let mut store = Guests::shared().async_store(&env)?;
        wasmtime_wasi::runtime::in_tokio(async {
            let instance = self
                .linker
                .instantiate_async(&mut store, &self.component)
                .await?;
            let client = wasmcloud_bindings::WasmcloudOpsHost::new(&mut store, &instance)?;
            let ops = client.memkv_fixtures_wasmcloud_ops();
            let snapshots = Snapshots {
                save: exported(
                    &mut store,
                    &instance,
                    Some("golem:api/save-snapshot@1.1.7"),
                    "save",
                )?,
                load: exported(
                    &mut store,
                    &instance,
                    Some("golem:api/load-snapshot@1.1.7"),
                    "load",
                )?,
            };
            store
                .run_concurrent(async |accessor| steps(accessor, ops, &snapshots).await)
                .await?
        })
    }
}
