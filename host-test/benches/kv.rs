//! memkv side by side with the limit and with the peer, in one criterion run.
//!
//! Rows (see BENCHMARKS.md for the numbers and how to read them):
//! 1. `native` — the pure store core, called directly;
//! 2. `host→memkv` — wasmtime calls the component's exports (`api.get/set`, `bucket.get/set`);
//! 3. `guest→memkv` — the `kv-bench` guest's loops, memkv composed in;
//! 4. `guest→host-store` — the same guest, unmodified, on `wasmtime-wasi-keyvalue`;
//!
//! plus `guest-empty-loop` (the guest loop without the store call, to subtract from rows 3–4),
//! batches of 100 keys, full listings of 10^4..10^6 keys, the cheapest call each provider serves,
//! instantiation, and (printed before the run) linear memory per entry.
//!
//! `cargo bench -p host-test --bench kv`; add `--features wasmtime-defaults` to repeat the guest
//! rows on an engine with wasmtime's default settings (concurrency support on).

#![allow(
    clippy::cast_possible_truncation,
    reason = "criterion's iteration counts and the workload sizes fit in u32"
)]

mod common;

use std::hint::black_box;

use common::{group, key};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use host_test::{BenchInstance, Entry, Guests, Harness, Provider, timed};
use memkv::store::Store;

/// Distinct keys in the get/set workload.
const KEYS: u32 = 100_000;
/// Keys per `get-many` / `set-many` call.
const BATCH: u32 = 100;
/// Same order as the guest: every key once before repeating, not in key order.
const STRIDE: usize = 48_271;
/// The bucket memkv is measured on (wasmtime's host store only has `""`).
const BUCKET: &str = "bench";

fn value(size: usize) -> Vec<u8> {
    (0..size).map(|i| (i % 251) as u8).collect()
}

/// Cycles through `0..n` with [`STRIDE`].
struct Order {
    next: usize,
    n: usize,
}

impl Order {
    fn new(n: usize) -> Self {
        Self { next: 0, n }
    }

    fn advance(&mut self) -> usize {
        let index = self.next;
        self.next = (self.next + STRIDE) % self.n;
        index
    }
}

/// A `kv-bench` guest for `provider`, set up with [`KEYS`] keys of `value_size` bytes.
fn bench_guest(guests: &Guests, provider: Provider, keys: u32, value_size: u32) -> BenchInstance {
    let mut bench = guests.bench(provider).expect("instantiate kv-bench");
    let bucket = if provider == Provider::HostStore {
        ""
    } else {
        BUCKET
    };
    bench.setup(bucket, keys, value_size).expect("bench setup");
    bench
}

fn label(provider: Provider) -> &'static str {
    match provider {
        Provider::Memkv => "guest→memkv",
        Provider::HostStore => "guest→host-store",
    }
}

/// Rows 1–4 for get and set of one value size.
fn get_set(c: &mut Criterion, harness: &Harness, guests: &Guests, value_size: usize) {
    let size_name = if value_size >= 1024 {
        format!("{}KiB", value_size / 1024)
    } else {
        format!("{value_size}B")
    };
    let keys: Vec<String> = (0..KEYS as usize).map(key).collect();
    let value = value(value_size);

    // Row 1: the core, natively.
    let mut store = Store::new();
    let bucket = store.open(BUCKET).unwrap();
    for key in &keys {
        store.set(bucket, key, value.clone()).unwrap();
    }
    // Row 2: the component, called from the host.
    let mut memkv = harness.instantiate().unwrap();
    let handle = memkv.draft().open(BUCKET).unwrap().unwrap();
    for chunk in keys.chunks(1000) {
        let entries: Vec<Entry> = chunk
            .iter()
            .map(|key| (key.clone(), value.clone()))
            .collect();
        memkv.draft().set_many(handle, &entries).unwrap().unwrap();
    }
    // Rows 3 and 4: a guest loop against each provider.
    let mut guest_benches: Vec<(Provider, BenchInstance)> = Provider::ALL
        .iter()
        .map(|&provider| {
            (
                provider,
                bench_guest(guests, provider, KEYS, value_size as u32),
            )
        })
        .collect();

    let mut get = group(c, &format!("get/{size_name}"));
    let mut order = Order::new(keys.len());
    get.bench_function("native", |b| {
        b.iter(|| {
            black_box(
                store
                    .get(bucket, &keys[order.advance()])
                    .map(|value| value.map(<[u8]>::to_vec)),
            )
        })
    });
    get.bench_function("host→memkv api.get", |b| {
        b.iter(|| black_box(memkv.api().get(BUCKET, &keys[order.advance()]).unwrap()))
    });
    get.bench_function("host→memkv bucket.get", |b| {
        b.iter(|| {
            black_box(
                memkv
                    .draft()
                    .get(handle, &keys[order.advance()])
                    .unwrap()
                    .unwrap(),
            )
        })
    });
    for (provider, guest) in &mut guest_benches {
        get.bench_function(label(*provider), |b| {
            b.iter_custom(|iters| timed(|| guest.get_loop(iters as u32).unwrap()))
        });
    }
    for (provider, guest) in &mut guest_benches {
        get.bench_function(
            format!("{} exists (no value moved)", label(*provider)),
            |b| b.iter_custom(|iters| timed(|| guest.exists_loop(iters as u32).unwrap())),
        );
    }
    get.bench_function("guest-empty-loop", |b| {
        let guest = &mut guest_benches[0].1;
        b.iter_custom(|iters| timed(|| guest.empty_loop(iters as u32).unwrap()))
    });
    get.finish();

    let mut set = group(c, &format!("set/{size_name}"));
    set.bench_function("native", |b| {
        b.iter(|| {
            store
                .set(bucket, &keys[order.advance()], value.clone())
                .unwrap()
        })
    });
    set.bench_function("host→memkv api.set", |b| {
        b.iter(|| {
            memkv
                .api()
                .set(BUCKET, &keys[order.advance()], &value)
                .unwrap()
        })
    });
    set.bench_function("host→memkv bucket.set", |b| {
        b.iter(|| {
            memkv
                .draft()
                .set(handle, &keys[order.advance()], &value)
                .unwrap()
                .unwrap()
        })
    });
    for (provider, guest) in &mut guest_benches {
        set.bench_function(label(*provider), |b| {
            b.iter_custom(|iters| timed(|| guest.set_loop(iters as u32).unwrap()))
        });
    }
    set.finish();
    memkv.draft().drop_bucket(handle).unwrap();
}

/// Row 5: `get-many` / `set-many` of [`BATCH`] keys per call, per key.
fn batches(c: &mut Criterion, harness: &Harness, guests: &Guests) {
    let keys: Vec<String> = (0..KEYS as usize).map(key).collect();
    let value = value(100);
    let mut memkv = harness.instantiate().unwrap();
    let handle = memkv.draft().open(BUCKET).unwrap().unwrap();
    let entries: Vec<Entry> = keys
        .iter()
        .map(|key| (key.clone(), value.clone()))
        .collect();
    for chunk in entries.chunks(1000) {
        memkv.draft().set_many(handle, chunk).unwrap().unwrap();
    }
    let mut guest_benches: Vec<(Provider, BenchInstance)> = Provider::ALL
        .iter()
        .map(|&provider| (provider, bench_guest(guests, provider, KEYS, 100)))
        .collect();
    let batch = BATCH as usize;
    let windows = keys.len() - batch + 1;

    let mut get_many = group(c, "get-many/100B x100");
    get_many.throughput(Throughput::Elements(BATCH.into()));
    let mut call = 0;
    get_many.bench_function("host→memkv", |b| {
        b.iter(|| {
            let start = (call * batch) % windows;
            call += 1;
            black_box(
                memkv
                    .draft()
                    .get_many(handle, &keys[start..start + batch])
                    .unwrap()
                    .unwrap(),
            )
        })
    });
    for (provider, guest) in &mut guest_benches {
        get_many.bench_function(label(*provider), |b| {
            b.iter_custom(|iters| timed(|| guest.get_many_loop(iters as u32, BATCH).unwrap()))
        });
    }
    get_many.finish();

    let mut set_many = group(c, "set-many/100B x100");
    set_many.throughput(Throughput::Elements(BATCH.into()));
    let pool = &entries[..1000];
    set_many.bench_function("host→memkv", |b| {
        b.iter(|| {
            let start = (call * batch) % (pool.len() - batch + 1);
            call += 1;
            memkv
                .draft()
                .set_many(handle, &pool[start..start + batch])
                .unwrap()
                .unwrap()
        })
    });
    for (provider, guest) in &mut guest_benches {
        set_many.bench_function(label(*provider), |b| {
            b.iter_custom(|iters| timed(|| guest.set_many_loop(iters as u32, BATCH).unwrap()))
        });
    }
    set_many.finish();
    memkv.draft().drop_bucket(handle).unwrap();
}

/// Row 6: a full paginated listing, per key, at three sizes.
fn listings(c: &mut Criterion, harness: &Harness, guests: &Guests) {
    for count in [10_000u32, 100_000, 1_000_000] {
        let mut list = group(c, &format!("list-keys/{count}"));
        list.throughput(Throughput::Elements(count.into()));
        list.sample_size(10);

        let mut memkv = harness.instantiate().unwrap();
        let handle = memkv.draft().open(BUCKET).unwrap().unwrap();
        let entries: Vec<Entry> = (0..count as usize).map(|i| (key(i), Vec::new())).collect();
        for chunk in entries.chunks(1000) {
            memkv.draft().set_many(handle, chunk).unwrap().unwrap();
        }
        drop(entries);
        list.bench_function("host→memkv", |b| {
            b.iter(|| {
                black_box(
                    memkv
                        .draft()
                        .list_all_keys(handle)
                        .unwrap()
                        .unwrap()
                        .keys
                        .len(),
                )
            })
        });
        memkv.draft().drop_bucket(handle).unwrap();
        drop(memkv);

        for provider in Provider::ALL {
            let mut guest = bench_guest(guests, provider, count, 0);
            list.bench_function(label(provider), |b| {
                b.iter(|| black_box(guest.list_all().unwrap()))
            });
        }
        list.finish();
    }
}

/// The cheapest call each provider serves (`exists("")` on an empty bucket), get, set and
/// get-many on a bucket that stays in cache, and instantiation.
fn floors(c: &mut Criterion, harness: &Harness, guests: &Guests) {
    let mut call = group(c, "call-floor exists-empty");
    let mut memkv = harness.instantiate().unwrap();
    let empty = memkv.draft().open("").unwrap().unwrap();
    call.bench_function("host→memkv", |b| {
        b.iter(|| black_box(memkv.draft().exists(empty, "").unwrap().unwrap()))
    });
    memkv.draft().drop_bucket(empty).unwrap();
    for provider in Provider::ALL {
        let mut guest = bench_guest(guests, provider, 1, 0);
        call.bench_function(label(provider), |b| {
            b.iter_custom(|iters| timed(|| guest.exists_empty_loop(iters as u32).unwrap()))
        });
    }
    call.finish();

    // The same guest loops on a bucket small enough to stay in cache: what a provider costs
    // once memory latency is out of the picture (with 10^5 keys, every operation of either
    // provider waits on a few cache misses).
    let mut in_cache: Vec<(Provider, BenchInstance)> = Provider::ALL
        .iter()
        .map(|&provider| (provider, bench_guest(guests, provider, 1_000, 100)))
        .collect();
    let mut single = group(c, "in-cache 100B, 10^3 keys");
    for (provider, guest) in &mut in_cache {
        single.bench_function(format!("{} get", label(*provider)), |b| {
            b.iter_custom(|iters| timed(|| guest.get_loop(iters as u32).unwrap()))
        });
        single.bench_function(format!("{} set", label(*provider)), |b| {
            b.iter_custom(|iters| timed(|| guest.set_loop(iters as u32).unwrap()))
        });
    }
    single.finish();
    let mut many = group(c, "in-cache get-many/100B x100, 10^3 keys");
    many.throughput(Throughput::Elements(BATCH.into()));
    for (provider, guest) in &mut in_cache {
        many.bench_function(label(*provider), |b| {
            b.iter_custom(|iters| timed(|| guest.get_many_loop(iters as u32, BATCH).unwrap()))
        });
    }
    many.finish();

    let mut instantiate = group(c, "instantiate");
    instantiate.bench_function("memkv", |b| {
        b.iter(|| black_box(harness.instantiate().unwrap()))
    });
    let pooled = Harness::with_engine(&pooling_engine()).unwrap();
    instantiate.bench_function("memkv (pooling allocator)", |b| {
        b.iter(|| black_box(pooled.instantiate().unwrap()))
    });
    instantiate.bench_function("kv-client+memkv composed", |b| {
        b.iter(|| black_box(guests.client(Provider::Memkv).unwrap()))
    });
    instantiate.bench_function("kv-client on host-store", |b| {
        b.iter(|| black_box(guests.client(Provider::HostStore).unwrap()))
    });
    instantiate.finish();
}

/// The harness's engine with the pooling instance allocator instead of on-demand allocation.
fn pooling_engine() -> wasmtime::Engine {
    let mut config = wasmtime::Config::new();
    config.concurrency_support(false);
    let mut pooling = wasmtime::PoolingAllocationConfig::default();
    pooling
        .total_memories(100)
        .total_tables(100)
        .total_core_instances(100);
    config.allocation_strategy(pooling);
    wasmtime::Engine::new(&config).unwrap()
}

/// Row 8, printed rather than timed: linear memory per entry after loading 10^6 entries.
fn memory_report(harness: &Harness) {
    const ENTRIES: usize = 1_000_000;
    let mut memkv = harness.instantiate().unwrap();
    let handle = memkv.draft().open(BUCKET).unwrap().unwrap();
    let before = memkv.data().memory_bytes();
    let value = value(100);
    for start in (0..ENTRIES).step_by(1000) {
        let entries: Vec<Entry> = (start..start + 1000)
            .map(|i| (key(i), value.clone()))
            .collect();
        memkv.draft().set_many(handle, &entries).unwrap().unwrap();
    }
    let after = memkv.data().memory_bytes();
    let per_entry = (after - before) as f64 / ENTRIES as f64;
    println!(
        "memory: {ENTRIES} entries of 16 B keys / 100 B values: linear memory {before} -> {after} bytes, \
         {per_entry:.1} bytes per entry ({:.2}x the 116 raw bytes)",
        per_entry / 116.0
    );
    println!(
        "component: memkv.wasm ({} bytes)",
        memkv_artifacts::MEMKV.len()
    );
    memkv.draft().drop_bucket(handle).unwrap();
}

fn engine_label() -> &'static str {
    if cfg!(feature = "wasmtime-defaults") {
        "wasmtime built with default features"
    } else {
        "wasmtime built with minimal features"
    }
}

fn all(c: &mut Criterion) {
    let harness = Harness::load().unwrap();
    let guests = Guests::load().unwrap();
    println!(
        "engine: {}, concurrency support off (the harness's engine)",
        engine_label()
    );
    memory_report(&harness);
    get_set(c, &harness, &guests, 100);
    get_set(c, &harness, &guests, 10 * 1024);
    batches(c, &harness, &guests);
    listings(c, &harness, &guests);
    floors(c, &harness, &guests);
    defaults_engine(c);
}

/// With `--features wasmtime-defaults`: the guest rows again on `Config::default()`, where
/// concurrency support is on.
#[cfg(feature = "wasmtime-defaults")]
fn defaults_engine(c: &mut Criterion) {
    let engine = wasmtime::Engine::default();
    let guests = Guests::with_engine(&engine);
    let mut defaults = group(c, "wasmtime-defaults get/100B");
    for provider in Provider::ALL {
        let mut guest = bench_guest(&guests, provider, KEYS, 100);
        defaults.bench_function(format!("{} get", label(provider)), |b| {
            b.iter_custom(|iters| timed(|| guest.get_loop(iters as u32).unwrap()))
        });
        defaults.bench_function(format!("{} set", label(provider)), |b| {
            b.iter_custom(|iters| timed(|| guest.set_loop(iters as u32).unwrap()))
        });
        defaults.bench_function(format!("{} get-many x100", label(provider)), |b| {
            b.iter_custom(|iters| timed(|| guest.get_many_loop(iters as u32, BATCH).unwrap()))
        });
        defaults.bench_function(format!("{} exists-empty", label(provider)), |b| {
            b.iter_custom(|iters| timed(|| guest.exists_empty_loop(iters as u32).unwrap()))
        });
    }
    defaults.finish();
}

#[cfg(not(feature = "wasmtime-defaults"))]
fn defaults_engine(_: &mut Criterion) {}

criterion_group!(benches, all);
criterion_main!(benches);
