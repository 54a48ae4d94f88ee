//! The test rig's one integration-test binary: the real components in wasmtime, a module per
//! interface or area, so the suite links (and compiles memkv with Cranelift) once.
//!
//! The engine suites (api, store, atomics, batch, draft2, spin, limits, snapshots, collections,
//! wasmcloud, wasmcloud2 and the model test)
//! run three times with the same expected answers: against `memkv.wasm` at the top level, and
//! against `memkv-redis.wasm` on a real `redis-server` in [`redis`] and on a local 3-node Redis
//! Cluster in [`redis_cluster`]. Each suite gets its component
//! from its parent module's `harness()`.

#![expect(
    clippy::duplicate_mod,
    reason = "the engine suites are compiled twice on purpose: once per engine"
)]

use host_test::Harness;

/// The engine suites, declared in a module one folder below this one (`redis/`,
/// `redis_cluster/`) whose `harness()` names the component they run against.
macro_rules! engine_suites {
    () => {
        #[path = "../api.rs"]
        mod api;
        #[path = "../atomics.rs"]
        mod atomics;
        #[path = "../batch.rs"]
        mod batch;
        #[path = "../collections.rs"]
        mod collections;
        #[path = "../draft2.rs"]
        mod draft2;
        #[path = "../limits.rs"]
        mod limits;
        #[path = "../model.rs"]
        mod model;
        #[path = "../sdk_guests.rs"]
        mod sdk_guests;
        #[path = "../snapshot.rs"]
        mod snapshot;
        #[path = "../spin.rs"]
        mod spin;
        #[path = "../store.rs"]
        mod store;
        #[path = "../wasmcloud.rs"]
        mod wasmcloud;
        #[path = "../wasmcloud2.rs"]
        mod wasmcloud2;
    };
}

#[macro_use]
mod api;
mod atomics;
mod batch;
mod cli;
mod collections;
mod component;
mod compose;
mod draft2;
mod golem;
mod js;
mod lifetimes;
mod limits;
mod memory;
mod model;
mod providers;
mod redis;
mod redis_cluster;
mod sdk_guests;
mod serve;
mod snapshot;
mod spin;
mod store;
mod traps;
mod wasmcloud;
mod wasmcloud2;
mod wasmtime_program;

/// The component the engine suites at this level run against: `memkv.wasm`.
fn harness() -> &'static Harness {
    Harness::shared()
}

/// `items` as owned strings, as the interfaces take keys and wasmCloud's values.
fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|&item| item.to_owned()).collect()
}
