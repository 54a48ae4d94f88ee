//! memkv-redis beside memkv, wasmtime's host store and `redis-benchmark`, in one run.
//!
//! Before the criterion run it starts a `redis-server` on a free port (append-only, fsync every
//! second), runs `redis-benchmark -c 1` against it (one client, one request at a time: one
//! loopback round trip per request) and prints its GET and SET rates, the server's time per
//! `set` with a lifetime and without (`INFO commandstats`) and the floor under it (`floor.lua`),
//! and what a connection costs, plain and TLS (a second server, with `--tls-port`). Then, per
//! operation, one row each:
//! - `host→memkv`: wasmtime calls `memkv.wasm`'s `wasi:keyvalue` exports;
//! - `host→memkv-redis`: the same calls into `memkv-redis.wasm`, whose buckets are in that server;
//! - `guest→host-store` (get, set): the `kv-bench` guest on `wasmtime-wasi-keyvalue`;
//! - `host→memkv-redis async`: memkv-redis again, instantiated and called asynchronously on a
//!   current-thread Tokio runtime, as `wasmtime serve` runs components. Called synchronously
//!   (the rows above, as `wasmtime run` does), wasmtime-wasi waits for a socket on its own
//!   background runtime: each reply wakes a Tokio worker thread, which then wakes the caller.
//!   Called asynchronously, the caller's thread waits on the socket itself.
//!
//! Workload: 10^4 keys of 16 bytes with 100-byte values; batches of 100 keys; a full listing of
//! 10^5 keys in pages of 1000. `cargo bench -p host-test --bench redis`; numbers in
//! BENCHMARKS.md.

#![allow(
    clippy::cast_possible_truncation,
    reason = "criterion's iteration counts and the workload sizes fit in u32"
)]

mod common;

use std::hint::black_box;
use std::process::Command;

use common::key;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use host_test::redis::{RedisServer, TestCa};
use host_test::{Entry, Guests, Harness, HostState, MemkvInstance, Provider, timed};
use memkv_host::bindings::exports::wasmcloud::keyvalue::key_value::SetRequest;
use wasmtime::Store;
use wasmtime::component::{Component, Linker, ResourceAny};

/// Host bindings of `memkv:store/memkv` whose exports are called asynchronously.
mod async_bindings {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "memkv:store/memkv",
        exports: { default: async },
    });
}

const KEYS: usize = 10_000;
const VALUE: usize = 100;
const BATCH: usize = 100;
const LISTED: usize = 100_000;
const BUCKET: &str = "bench";

/// One of the [`KEYS`] keys on every call, a prime stride apart, so consecutive operations hit
/// unrelated keys.
fn keys_in_stride() -> impl FnMut() -> String {
    let mut next = 0;
    move || {
        next = (next + 7919) % KEYS;
        key(next)
    }
}

/// The keys of a batch (100 of the filled keys), and each with `value`.
fn batch(value: &[u8]) -> (Vec<String>, Vec<Entry>) {
    let keys: Vec<String> = (0..BATCH).map(|i| key(i * 37)).collect();
    let entries = keys
        .iter()
        .map(|key| (key.clone(), value.to_vec()))
        .collect();
    (keys, entries)
}

/// An instance with [`KEYS`] keys of [`VALUE`] bytes in [`BUCKET`], and its bucket handle.
fn filled(mut memkv: MemkvInstance<HostState>) -> (MemkvInstance<HostState>, ResourceAny) {
    let bucket = memkv.draft().open(BUCKET).unwrap().unwrap();
    let entries: Vec<Entry> = (0..KEYS).map(|i| (key(i), vec![7; VALUE])).collect();
    for chunk in entries.chunks(1000) {
        memkv.draft().set_many(bucket, chunk).unwrap().unwrap();
    }
    (memkv, bucket)
}

/// `redis-benchmark -c 1 <args>` against `server`: its output.
fn redis_benchmark_with(server: &RedisServer, args: &[&str]) -> std::process::Output {
    Command::new("redis-benchmark")
        .args(["-p", &server.port().to_string(), "-c", "1"])
        .args(args)
        .output()
        .expect("redis-benchmark runs (apt-get install -y redis-server)")
}

/// `redis-benchmark -c 1` against `server`: its GET and SET lines.
fn redis_benchmark(server: &RedisServer) -> String {
    let value = VALUE.to_string();
    let output = redis_benchmark_with(
        server,
        &["-n", "100000", "-d", &value, "-t", "get,set", "-q"],
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| line.rsplit('\r').next().unwrap_or(line).trim().to_owned())
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

fn all(c: &mut Criterion) {
    // Append-only with an fsync a second, as Redis is usually run for durability (the tests
    // fsync every write, to prove no acknowledged write is lost).
    let server =
        RedisServer::start_with(&["--appendfsync", "everysec"]).expect("redis-server starts");
    println!(
        "redis-benchmark -c 1 -d {VALUE}: {}",
        redis_benchmark(&server)
    );
    let memkv = Harness::shared();
    let redis = Harness::redis_at(&server.url()).expect("memkv-redis.wasm compiles");
    println!("memkv-redis lifetimes: {}", lifetime_costs(&server, &redis));
    println!("memkv-redis floor: {}", floor_costs(&server));
    println!("memkv-redis connections: {}", connection_costs(&redis));
    let mut instances = [
        ("host→memkv", filled(memkv.instantiate().unwrap())),
        (
            "host→memkv-redis",
            filled(redis.instantiate_at(&server.url(), "bench").unwrap()),
        ),
    ];
    let mut host_store = Guests::shared().bench(Provider::HostStore).unwrap();
    host_store.setup("", KEYS as u32, VALUE as u32).unwrap();

    let value = vec![9; VALUE];
    let mut group = common::group(c, "memkv-redis");
    for (name, (instance, bucket)) in &mut instances {
        let bucket = *bucket;
        let mut advance = keys_in_stride();
        group.throughput(Throughput::Elements(1));
        group.bench_function(format!("get/{name}"), |b| {
            b.iter(|| black_box(instance.draft().get(bucket, &advance()).unwrap().unwrap()))
        });
        group.bench_function(format!("set/{name}"), |b| {
            b.iter(|| {
                instance
                    .draft()
                    .set(bucket, &advance(), &value)
                    .unwrap()
                    .unwrap()
            })
        });
        group.bench_function(format!("increment/{name}"), |b| {
            b.iter(|| {
                instance
                    .draft()
                    .increment(bucket, "counter", 1)
                    .unwrap()
                    .unwrap()
            })
        });
        group.throughput(Throughput::Elements(BATCH as u64));
        let (keys, entries) = batch(&value);
        group.bench_function(format!("get-many 100/{name}"), |b| {
            b.iter(|| black_box(instance.draft().get_many(bucket, &keys).unwrap().unwrap()))
        });
        group.bench_function(format!("set-many 100/{name}"), |b| {
            b.iter(|| {
                instance
                    .draft()
                    .set_many(bucket, &entries)
                    .unwrap()
                    .unwrap()
            })
        });
        group.throughput(Throughput::Elements(1000));
        group.bench_function(format!("list-keys page of 1000/{name}"), |b| {
            b.iter(|| black_box(instance.draft().list_keys(bucket, None).unwrap().unwrap()))
        });
    }
    group.throughput(Throughput::Elements(1));
    group.bench_function("get/guest→host-store", |b| {
        b.iter_custom(|iters| timed(|| host_store.get_loop(iters as u32).unwrap()))
    });
    group.bench_function("set/guest→host-store", |b| {
        b.iter_custom(|iters| timed(|| host_store.set_loop(iters as u32).unwrap()))
    });
    group.finish();

    let mut group = common::group(c, "memkv-redis async");
    let name = "host→memkv-redis async";
    let mut served = AsyncRedis::new(&server.url()).expect("memkv-redis instantiates");
    let mut advance = keys_in_stride();
    group.throughput(Throughput::Elements(1));
    group.bench_function(format!("get/{name}"), |b| {
        b.iter(|| black_box(served.get(&advance())))
    });
    group.bench_function(format!("set/{name}"), |b| {
        b.iter(|| served.set(&advance(), &value))
    });
    group.bench_function(format!("increment/{name}"), |b| {
        b.iter(|| black_box(served.increment("counter")))
    });
    group.throughput(Throughput::Elements(BATCH as u64));
    let (keys, entries) = batch(&value);
    group.bench_function(format!("get-many 100/{name}"), |b| {
        b.iter(|| black_box(served.get_many(&keys)))
    });
    group.bench_function(format!("set-many 100/{name}"), |b| {
        b.iter(|| served.set_many(&entries))
    });
    group.finish();

    // A full listing of 10^5 keys, and the round trips it took.
    let mut listing = c.benchmark_group("memkv-redis listing");
    listing.sample_size(10);
    listing.throughput(Throughput::Elements(LISTED as u64));
    for (name, harness) in [("host→memkv", memkv), ("host→memkv-redis", &redis)] {
        let mut instance = if harness.is_redis() {
            harness.instantiate_at(&server.url(), "listing").unwrap()
        } else {
            harness.instantiate().unwrap()
        };
        let bucket = instance.draft().open(BUCKET).unwrap().unwrap();
        let entries: Vec<Entry> = (0..LISTED).map(|i| (key(i), Vec::new())).collect();
        for chunk in entries.chunks(1000) {
            instance.draft().set_many(bucket, chunk).unwrap().unwrap();
        }
        let calls_before = script_calls(&server);
        let keys = instance
            .draft()
            .list_all_keys(bucket)
            .unwrap()
            .unwrap()
            .keys;
        assert_eq!(keys.len(), LISTED);
        if harness.is_redis() {
            println!(
                "a full listing of {LISTED} keys in pages of 1000: {} round trips",
                script_calls(&server) - calls_before
            );
        }
        listing.bench_function(format!("10^5 keys/{name}"), |b| {
            b.iter(|| black_box(instance.draft().list_all_keys(bucket).unwrap().unwrap()))
        });
    }
    listing.finish();
}

/// memkv-redis on the bench's server (the store `bench`, filled by the synchronous rows),
/// instantiated and called asynchronously on a current-thread Tokio runtime: wasmtime-wasi then
/// waits for its sockets in the calling thread. Every call panics on any error (a benchmark).
struct AsyncRedis {
    runtime: tokio::runtime::Runtime,
    store: Store<HostState>,
    memkv: async_bindings::Memkv,
    bucket: ResourceAny,
}

impl AsyncRedis {
    fn new(url: &str) -> wasmtime::Result<Self> {
        let engine = host_test::engine()?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        let component = Component::new(&engine, memkv_host::MEMKV_REDIS)?;
        let pre = async_bindings::MemkvPre::new(linker.instantiate_pre(&component)?)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        let env = [("MEMKV_REDIS_URL", url), ("MEMKV_REDIS_PREFIX", "bench")];
        let mut store = Store::new(&engine, HostState::with_wasi(memkv_host::network_ctx(&env)));
        let (memkv, bucket) = runtime.block_on(async {
            let memkv = pre.instantiate_async(&mut store).await?;
            let bucket = memkv
                .wasi_keyvalue0_2_0_draft_store()
                .call_open(&mut store, BUCKET)
                .await?;
            Ok::<_, wasmtime::Error>((memkv, bucket))
        })?;
        Ok(Self {
            runtime,
            store,
            memkv,
            bucket: bucket.expect("the bench bucket opens"),
        })
    }

    /// Run `call` on the instance and the bench bucket to its end; panics on any error.
    fn run<T, E: std::fmt::Debug>(
        &mut self,
        call: impl AsyncFnOnce(
            &async_bindings::Memkv,
            &mut Store<HostState>,
            ResourceAny,
        ) -> wasmtime::Result<Result<T, E>>,
    ) -> T {
        let Self {
            runtime,
            store,
            memkv,
            bucket,
        } = self;
        runtime
            .block_on(call(memkv, store, *bucket))
            .unwrap()
            .unwrap()
    }

    fn get(&mut self, key: &str) -> Option<Vec<u8>> {
        self.run(async |memkv, store, bucket| {
            let draft = memkv.wasi_keyvalue0_2_0_draft_store();
            draft.bucket().call_get(store, bucket, key).await
        })
    }

    fn set(&mut self, key: &str, value: &[u8]) {
        self.run(async |memkv, store, bucket| {
            let draft = memkv.wasi_keyvalue0_2_0_draft_store();
            draft.bucket().call_set(store, bucket, key, value).await
        });
    }

    fn increment(&mut self, key: &str) -> u64 {
        self.run(async |memkv, store, bucket| {
            let atomics = memkv.wasi_keyvalue0_2_0_draft_atomics();
            atomics.call_increment(store, bucket, key, 1).await
        })
    }

    fn get_many(&mut self, keys: &[String]) -> Vec<Option<Entry>> {
        self.run(async |memkv, store, bucket| {
            let batch = memkv.wasi_keyvalue0_2_0_draft_batch();
            batch.call_get_many(store, bucket, keys).await
        })
    }

    fn set_many(&mut self, entries: &[Entry]) {
        self.run(async |memkv, store, bucket| {
            let batch = memkv.wasi_keyvalue0_2_0_draft_batch();
            batch.call_set_many(store, bucket, entries).await
        });
    }
}

/// The server's time per memkv.lua call, in µs (`INFO commandstats`), over the calls `calls`
/// makes, counted from a reset of the server's statistics.
fn server_usec(server: &RedisServer, calls: impl FnOnce()) -> String {
    server
        .cli(&["CONFIG", "RESETSTAT"])
        .expect("CONFIG RESETSTAT");
    calls();
    let stats = server.cli(&["INFO", "commandstats"]).unwrap_or_default();
    stats
        .lines()
        .find(|line| line.starts_with("cmdstat_fcall:"))
        .and_then(|line| line.split("usec_per_call=").nth(1))
        .and_then(|rest| rest.split(',').next())
        .unwrap_or("?")
        .to_owned()
}

/// The server's time for a set, with a lifetime and without: 10^4 waSCC `set`s with
/// `expires` (memkv.lua's `set_ex`, the lifetime path wasmCloud 0.2's `ttl-ms` takes too), and as
/// many without, of new keys and then of the same keys again, in a bucket without lifetimes and
/// then in the same bucket once it has them (every call into a bucket with lifetimes first looks
/// for expired keys).
fn lifetime_costs(server: &RedisServer, redis: &Harness) -> String {
    let mut instance = redis
        .instantiate_at(&server.url(), "lifetimes")
        .expect("instance");
    let value: String = "v".repeat(VALUE);
    let mut sets = |expires: u32, first: usize| {
        for i in first..first + KEYS {
            let request = SetRequest {
                key: key(i),
                value: value.clone(),
                expires,
            };
            instance.wasmcloud().set(&request).expect("set");
        }
    };
    let plain = server_usec(server, || sets(0, 0));
    let again = server_usec(server, || sets(0, 0));
    let expiring = server_usec(server, || sets(3_600, KEYS));
    let beside = server_usec(server, || sets(0, 2 * KEYS));
    format!(
        "set {plain} µs, set of a key that exists {again} µs, set with a lifetime {expiring} µs, \
         set in a bucket with lifetimes {beside} µs (server time per call, 10^4 calls each)"
    )
}

/// The floor under memkv.lua's set, on the same server: an empty Function call, and the least
/// a limit-checked, exactly-once set can do (`floor.lua`: one `HMGET`, one `HSET`); and beside
/// them memkv.lua's own set, sent the same way (the call memkv-redis makes, one key and the
/// operation's arguments). `redis-benchmark -c 1` calls overwriting 10^4 keys of [`VALUE`] bytes
/// (filled first), in 5 rounds of 10^4 calls of each, one after the other (this machine's server
/// time drifts within minutes): the medians, and the median of each round's memkv.lua set over
/// its floor.
fn floor_costs(server: &RedisServer) -> String {
    // memkv-redis loaded its library for the calls before: its one function has its name.
    let listing = server
        .cli(&["FUNCTION", "LIST", "LIBRARYNAME", "memkv_*"])
        .expect("FUNCTION LIST");
    let mut lines = listing.lines();
    let memkv = std::iter::from_fn(|| {
        lines.find(|line| *line == "library_name")?;
        lines.next()
    })
    .find(|name| *name != "memkv_floor")
    .expect("memkv.lua is loaded")
    .to_owned();
    server
        .cli(&["FUNCTION", "LOAD", "REPLACE", include_str!("floor.lua")])
        .expect("FUNCTION LOAD floor.lua");
    let (value, keys) = ("v".repeat(VALUE), KEYS.to_string());
    let calls = |n: &str, call: &[&str]| {
        let mut args = vec!["-n", n, "-r", &keys, "FCALL"];
        args.extend(call);
        args.extend([value.as_str(), "0123456789abcdef"]);
        let output = redis_benchmark_with(server, &args);
        assert!(output.status.success(), "redis-benchmark FCALL {}", call[0]);
    };
    let floor = ["floor_set", "1", "floor:{floor}:g", "key:__rand_int__"];
    let own = [
        &memkv,
        "1",
        "direct:{direct}:g",
        "set",
        "b",
        "key:__rand_int__",
    ];
    calls("50000", &floor);
    calls("50000", &own);
    let usec = |call: &[&str]| -> f64 {
        let usec = server_usec(server, || calls("10000", call));
        usec.parse().unwrap_or(f64::NAN)
    };
    let mut rounds: [Vec<f64>; 4] = Default::default();
    for _ in 0..5 {
        let [empty, set, memkv_set, ratio] = &mut rounds;
        empty.push(usec(&["floor_empty", "0"]));
        set.push(usec(&floor));
        memkv_set.push(usec(&own));
        ratio.push(memkv_set.last().unwrap() / set.last().unwrap());
    }
    let [empty, set, memkv_set, ratio] = rounds.map(|mut values| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    });
    format!(
        "an empty Function call {empty:.2} µs, the least a checked, exactly-once set can do (one \
         read, one write) {set:.2} µs; memkv.lua's set, sent the same way, {memkv_set:.2} µs, \
         {ratio:.2}× the floor (server time per call, medians of 5 rounds of 10^4 calls each, \
         all keys existing)"
    )
}

/// What a connection costs, plain and TLS: the medians over 20 fresh instances of their first
/// call (connect, TLS handshake, the library check, then `open`), their second (one round trip)
/// and their third, on a server with a certificate from a CA of the bench's own.
fn connection_costs(redis: &Harness) -> String {
    let ca = TestCa::new("memkv bench CA").expect("openssl makes a CA");
    let server = RedisServer::start_tls(&ca, "DNS:localhost", false).expect("redis-server");
    let ca_pem = ca.ca_pem().expect("the CA's PEM");
    let tls_url = format!("rediss://localhost:{}", server.tls_port().expect("TLS"));
    let plain_url = server.url();
    let mut costs = Vec::new();
    for (name, env) in [
        ("redis://", vec![("MEMKV_REDIS_URL", plain_url.as_str())]),
        (
            "rediss://",
            vec![
                ("MEMKV_REDIS_URL", tls_url.as_str()),
                ("MEMKV_REDIS_CA_PEM", ca_pem.as_str()),
            ],
        ),
    ] {
        let mut calls: [Vec<std::time::Duration>; 3] = Default::default();
        for _ in 0..20 {
            let mut instance = redis.instantiate_with_env(&env).expect("instance");
            let mut bucket = None;
            calls[0].push(timed(|| {
                bucket = Some(instance.draft().open(BUCKET).unwrap().unwrap());
            }));
            let bucket = bucket.expect("opened");
            for call in &mut calls[1..] {
                call.push(timed(|| {
                    instance.draft().get(bucket, "k").unwrap().unwrap()
                }));
            }
        }
        let [first, second, third] = calls.map(|mut times| {
            times.sort();
            times[times.len() / 2]
        });
        costs.push(format!(
            "{name} first call {first:.2?}, second {second:.2?}, third {third:.2?}"
        ));
    }
    costs.join("; ")
}

/// How many memkv.lua functions the server has run so far (`INFO commandstats`).
fn script_calls(server: &RedisServer) -> u64 {
    let stats = server.cli(&["INFO", "commandstats"]).unwrap_or_default();
    stats
        .lines()
        .filter(|line| line.starts_with("cmdstat_fcall:"))
        .filter_map(|line| {
            let calls = line.split("calls=").nth(1)?;
            calls.split(',').next()?.parse::<u64>().ok()
        })
        .sum()
}

criterion_group!(benches, all);
criterion_main!(benches);
