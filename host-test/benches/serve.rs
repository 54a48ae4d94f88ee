//! The counter demo served as `wasmtime serve` serves a WASI 0.2 proxy — a fresh instance for
//! every request — with memkv and with memkv-redis, in one run:
//!
//! - before the criterion run, requests per second with 1 client and with 16 (one thread each,
//!   sharing one server), and where a memkv-redis request's time goes: instantiating the
//!   component, its first call (connecting, checking that the server has memkv.lua, the call)
//!   and a later call on the same instance (the call alone);
//! - the same with memkv-redis over TLS, and with the WASI P3 counter (Spin SDK 7), whose
//!   instance `wasmtime serve` reuses for 128 requests, on memkv-p3 and memkv-redis-p3;
//! - then one criterion row per engine: one request, in a fresh instance.
//!
//! Each request also makes the current-thread Tokio runtime it runs on (tens of µs), as the
//! rig's server does; `wasmtime serve` keeps one runtime. `cargo bench -p host-test --bench
//! serve`; numbers in BENCHMARKS.md.

#[allow(dead_code, reason = "the shared workload's keys are not this bench's")]
mod common;

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use host_test::redis::{RedisServer, TestCa};
use host_test::serve::{P3Server, Server};
use host_test::{Harness, timed};

/// Requests per client in the requests-per-second runs.
const REQUESTS: usize = 200;

/// Requests per second of `clients` threads each sending `requests` requests to `server`.
fn rate(server: &Server, clients: usize, requests: usize) -> f64 {
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..clients {
            scope.spawn(|| {
                for _ in 0..requests {
                    server.get().expect("request");
                }
            });
        }
    });
    (clients * requests) as f64 / start.elapsed().as_secs_f64()
}

/// Requests per second of a WASI P3 service (the Spin SDK 7 counter) whose instance serves
/// [`REUSE`] requests in turn, as `wasmtime serve` reuses one, over 4 instances, 1 client.
fn p3_rate(server: &P3Server) -> f64 {
    let start = Instant::now();
    for _ in 0..4 {
        server.serve(REUSE).expect("requests");
    }
    (4 * REUSE) as f64 / start.elapsed().as_secs_f64()
}

/// Requests one instance of a WASI P3 service serves in wasmtime 50's `serve` (its
/// `--max-instance-reuse-count` default).
const REUSE: usize = 128;

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
            rate(served, 1, REQUESTS),
            rate(served, 16, REQUESTS)
        );
    }
    // The same over TLS: a server with a certificate from a CA of the bench's own. Every request
    // connects, so fewer requests.
    let ca = TestCa::new("memkv bench CA").expect("openssl makes a CA");
    let tls_server = RedisServer::start_tls(&ca, "DNS:localhost", false).expect("redis-server");
    let tls_url = format!("rediss://localhost:{}", tls_server.tls_port().expect("TLS"));
    let ca_pem = ca.ca_pem().expect("the CA's PEM");
    let tls_env = [
        ("MEMKV_REDIS_URL", tls_url.as_str()),
        ("MEMKV_REDIS_PREFIX", "serve"),
        ("MEMKV_REDIS_CA_PEM", ca_pem.as_str()),
    ];
    let tls = Server::new(memkv_artifacts::MEMKV_REDIS, &tls_env).expect("server");
    tls.get().expect("a first request");
    println!(
        "counter + memkv-redis.wasm over TLS: {:.1} requests/s with 1 client, {:.1} with 4",
        rate(&tls, 1, 20),
        rate(&tls, 4, 20)
    );
    // A WASI P3 service keeps its instance, and so its connection, for REUSE requests.
    for (name, memkv, env) in [
        ("memkv-p3.wasm", memkv_artifacts::MEMKV_P3, &[][..]),
        (
            "memkv-redis-p3.wasm",
            memkv_artifacts::MEMKV_REDIS_P3,
            &env[..],
        ),
        (
            "memkv-redis-p3.wasm over TLS",
            memkv_artifacts::MEMKV_REDIS_P3,
            &tls_env[..],
        ),
    ] {
        let served = P3Server::new(memkv, env).expect("server");
        println!(
            "Spin SDK 7 counter + {name}, {REUSE} requests per instance: {:.0} requests/s",
            p3_rate(&served)
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
