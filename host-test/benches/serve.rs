//! The counter demo served as `wasmtime serve` serves a WASI 0.2 proxy — a fresh instance for
//! every request — with memkv and with memkv-redis, in one run:
//!
//! - before the criterion run, requests per second with 1 client and with 16 (one thread each,
//!   sharing one server), and where a memkv-redis request's time goes: instantiating the
//!   component, its first call (connecting, checking that the server has memkv.lua, the call)
//!   and a later call on the same instance (the call alone);
//! - then one criterion row per engine: one request, in a fresh instance.
//!
//! Each request also makes the current-thread Tokio runtime it runs on (tens of µs), as the
//! rig's server does; `wasmtime serve` keeps one runtime. `cargo bench -p host-test --bench
//! serve`; numbers in BENCHMARKS.md.

#[allow(dead_code, reason = "the shared workload's keys are not this bench's")]
mod common;

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use host_test::redis::RedisServer;
use host_test::serve::Server;
use host_test::{Harness, timed};

/// Requests per client in the requests-per-second runs.
const REQUESTS: usize = 200;

/// Requests per second of `clients` threads each sending `REQUESTS` requests to `server`.
fn rate(server: &Server, clients: usize) -> f64 {
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..clients {
            scope.spawn(|| {
                for _ in 0..REQUESTS {
                    server.get().expect("request");
                }
            });
        }
    });
    (clients * REQUESTS) as f64 / start.elapsed().as_secs_f64()
}

/// Mean of `f`'s time over `n` runs.
fn mean(n: u32, mut f: impl FnMut() -> Duration) -> Duration {
    (0..n).map(|_| f()).sum::<Duration>() / n
}

/// Where a memkv-redis request's time goes, by steps of an instance of memkv-redis itself.
fn breakdown(redis: &Harness, url: &str) -> String {
    let n = 100;
    let instantiate = mean(n, || {
        timed(|| redis.instantiate_at(url, "steps").expect("instance"))
    });
    let first = mean(n, || {
        let mut memkv = redis.instantiate_at(url, "steps").expect("instance");
        timed(|| memkv.api().get("demo", "requests").expect("get"))
    });
    let mut memkv = redis.instantiate_at(url, "steps").expect("instance");
    memkv.api().get("demo", "requests").expect("get");
    let later = mean(n, || {
        timed(|| memkv.api().get("demo", "requests").expect("get"))
    });
    format!(
        "instantiate {instantiate:.1?}, first call (connect, library check, call) {first:.1?}, \
         a later call {later:.1?}"
    )
}

fn all(c: &mut Criterion) {
    let server = RedisServer::start_with(&["--appendfsync", "everysec"]).expect("redis-server");
    let url = server.url();
    let env = [
        ("MEMKV_REDIS_URL", url.as_str()),
        ("MEMKV_REDIS_PREFIX", "serve"),
    ];
    let servers = [
        (
            "memkv.wasm",
            Server::new(memkv_artifacts::MEMKV, &[]).expect("server"),
        ),
        (
            "memkv-redis.wasm",
            Server::new(memkv_artifacts::MEMKV_REDIS, &env).expect("server"),
        ),
    ];
    for (name, served) in &servers {
        served.get().expect("a first request");
        println!(
            "counter + {name}: {:.0} requests/s with 1 client, {:.0} with 16",
            rate(served, 1),
            rate(served, 16)
        );
    }
    let redis = Harness::redis_at(&url).expect("memkv-redis compiles");
    println!("memkv-redis request steps: {}", breakdown(&redis, &url));

    let mut group = common::group(c, "serve");
    for (name, served) in &servers {
        group.bench_function(format!("request/counter + {name}"), |b| {
            b.iter(|| served.get().expect("request"))
        });
    }
    group.finish();
}

criterion_group!(benches, all);
criterion_main!(benches);
