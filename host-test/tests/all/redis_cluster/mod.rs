//! The engine suites a third time, against memkv-redis on a local 3-node Redis Cluster: the
//! same files, the same expected answers.

use host_test::Harness;

/// The component the engine suites in this module run against: `memkv-redis.wasm`, each
/// instance on a store of its own in the process's Redis Cluster.
fn harness() -> &'static Harness {
    Harness::redis_cluster()
}

#[path = "../api.rs"]
mod api;
#[path = "../atomics.rs"]
mod atomics;
#[path = "../batch.rs"]
mod batch;
#[path = "../draft2.rs"]
mod draft2;
#[path = "../limits.rs"]
mod limits;
#[path = "../model.rs"]
mod model;
#[path = "../snapshot.rs"]
mod snapshot;
#[path = "../store.rs"]
mod store;

#[path = "../redis/concurrency.rs"]
mod concurrency;
