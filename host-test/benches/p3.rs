//! What the async artifacts cost, in one criterion run, on a bucket of 10^3 keys of 100 B that
//! stays in cache. Rows, each a get and a set called from the host:
//!
//! 1. `memkv.wasm draft (sync engine)` — the sync artifact's `wasi:keyvalue@0.2.0-draft`, on an
//!    engine with concurrency support off: what a sync guest's provider costs;
//! 2. `memkv-p3.wasm draft (async engine)` — the same sync-lifted functions of the async
//!    artifact, on an engine with the component model's async support on (which the async
//!    artifact needs): what a sync dialect would cost in the async artifact;
//! 3. `memkv-p3.wasm spin3 (async engine)` — Spin 6-7's async `spin:key-value@3.0.0`, called
//!    with `call_concurrent` inside one `run_concurrent` per sample;
//! 4. `memkv-p3.wasm wasmcloud 0.2 (async engine)` — wasmCloud 2.7's async
//!    `wasmcloud:keyvalue@0.2.0`, called the same way (`set` with no options).
//!
//! `cargo bench -p host-test --bench p3`; numbers in BENCHMARKS.md.

#![allow(
    clippy::cast_possible_truncation,
    reason = "criterion's iteration counts fit in usize"
)]

mod common;

use std::time::Instant;

use common::{group, key};
use criterion::{Criterion, criterion_group, criterion_main};
use host_test::HostState;
use memkv_host::bindings::{Memkv, MemkvPre};
use memkv_host::{CacheUse, async_engine, engine};
use wasmtime::component::{Component, Linker, ResourceAny};
use wasmtime::{Engine, Store};
use wasmtime_wasi::runtime::in_tokio;

/// Host bindings of the async world: its async functions take an `Accessor`.
mod p3 {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "memkv:store/memkv-p3",
    });
}

/// Keys in the bucket.
const KEYS: usize = 1_000;
const BUCKET: &str = "bench";

/// An instance of `artifact` on `engine`, its bucket filled through the draft.
fn filled(engine: &Engine, artifact: &[u8]) -> (Store<HostState>, Memkv, ResourceAny) {
    let component = Component::new(engine, artifact).expect("compile");
    // memkv-p3.wasm imports the wall clock (for lifetimes); memkv.wasm nothing.
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).expect("WASI");
    let pre =
        MemkvPre::new(linker.instantiate_pre(&component).expect("link")).expect("memkv's world");
    let mut store = Store::new(engine, HostState::default());
    let memkv = pre.instantiate(&mut store).expect("instantiate");
    let draft = memkv.wasi_keyvalue0_2_0_draft_store();
    let bucket = draft.call_open(&mut store, BUCKET).unwrap().unwrap();
    for i in 0..KEYS {
        let set = draft
            .bucket()
            .call_set(&mut store, bucket, &key(i), &[7; 100]);
        set.unwrap().unwrap();
    }
    (store, memkv, bucket)
}

/// Rows 1 and 2: the draft's get and set, `iters` calls of each.
fn draft_rows(c: &mut Criterion, name: &str, engine: &Engine, artifact: &[u8]) {
    let (mut store, memkv, bucket) = filled(engine, artifact);
    let draft = memkv.wasi_keyvalue0_2_0_draft_store();
    let mut rows = group(c, "in-cache 100B, 10^3 keys");
    let keys: Vec<String> = (0..KEYS).map(key).collect();
    rows.bench_function(format!("{name} get"), |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % KEYS;
            draft
                .bucket()
                .call_get(&mut store, bucket, &keys[i])
                .unwrap()
                .unwrap()
        })
    });
    rows.bench_function(format!("{name} set"), |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % KEYS;
            let set = draft
                .bucket()
                .call_set(&mut store, bucket, &keys[i], &[9; 100]);
            set.unwrap().unwrap();
        })
    });
    rows.finish();
}

/// The async dialects of rows 3 and 4.
#[derive(Clone, Copy, PartialEq)]
enum Dialect {
    Spin3,
    Wasmcloud2,
}

/// Rows 3 and 4: an async dialect's get and set, each sample's calls inside one
/// `run_concurrent`.
fn async_rows(c: &mut Criterion, engine: &Engine, dialect: Dialect) {
    let component = Component::new(engine, memkv_host::MEMKV_P3).expect("compile");
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).expect("WASI");
    let mut store = Store::new(engine, HostState::default());
    let keys: Vec<String> = (0..KEYS).map(key).collect();
    let memkv = in_tokio(p3::MemkvP3::instantiate_async(
        &mut store, &component, &linker,
    ))
    .expect("instantiate");
    let spin = memkv.spin_key_value_key_value().store();
    let wasmcloud = memkv.wasmcloud_keyvalue0_2_0_types().bucket();
    let open_wasmcloud = memkv.wasmcloud_keyvalue0_2_0_store();
    let filled = in_tokio(store.run_concurrent(async |accessor| {
        let handle = match dialect {
            Dialect::Spin3 => spin.call_open(accessor, BUCKET.into()).await?.unwrap(),
            Dialect::Wasmcloud2 => open_wasmcloud
                .call_open(accessor, BUCKET.into())
                .await?
                .unwrap(),
        };
        for key in &keys {
            match dialect {
                Dialect::Spin3 => {
                    let set = spin.call_set(accessor, handle, key.clone(), vec![7; 100]);
                    set.await?.unwrap();
                }
                Dialect::Wasmcloud2 => {
                    let set = wasmcloud.call_set(accessor, handle, key.clone(), vec![7; 100], None);
                    set.await?.unwrap();
                }
            }
        }
        Ok::<_, wasmtime::Error>(handle)
    }));
    let handle = filled.expect("run").expect("fill");
    let name = match dialect {
        Dialect::Spin3 => "memkv-p3.wasm spin3 (async engine)",
        Dialect::Wasmcloud2 => "memkv-p3.wasm wasmcloud 0.2 (async engine)",
    };
    let mut rows = group(c, "in-cache 100B, 10^3 keys");
    for set in [false, true] {
        let op = if set { "set" } else { "get" };
        rows.bench_function(format!("{name} {op}"), |b| {
            b.iter_custom(|iters| {
                let run = store.run_concurrent(async |accessor| {
                    let start = Instant::now();
                    for i in 0..iters as usize {
                        let key = keys[i % KEYS].clone();
                        match (dialect, set) {
                            (Dialect::Spin3, true) => {
                                let call = spin.call_set(accessor, handle, key, vec![9; 100]);
                                call.await?.unwrap();
                            }
                            (Dialect::Spin3, false) => {
                                spin.call_get(accessor, handle, key).await?.unwrap();
                            }
                            (Dialect::Wasmcloud2, true) => {
                                let call =
                                    wasmcloud.call_set(accessor, handle, key, vec![9; 100], None);
                                call.await?.unwrap();
                            }
                            (Dialect::Wasmcloud2, false) => {
                                wasmcloud.call_get(accessor, handle, key).await?.unwrap();
                            }
                        }
                    }
                    Ok::<_, wasmtime::Error>(start.elapsed())
                });
                in_tokio(run).expect("run").expect("calls")
            })
        });
    }
    rows.finish();
}

fn all(c: &mut Criterion) {
    let sync = engine(CacheUse::Off).expect("engine");
    let concurrent = async_engine(CacheUse::Off).expect("async engine");
    draft_rows(
        c,
        "memkv.wasm draft (sync engine)",
        &sync,
        memkv_host::MEMKV,
    );
    draft_rows(
        c,
        "memkv-p3.wasm draft (async engine)",
        &concurrent,
        memkv_host::MEMKV_P3,
    );
    async_rows(c, &concurrent, Dialect::Spin3);
    async_rows(c, &concurrent, Dialect::Wasmcloud2);
}

criterion_group!(benches, all);
criterion_main!(benches);
