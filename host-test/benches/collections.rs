//! Lists and sets (`memkv:store/collections`) in both engines, side by side: a push, a range of
//! 100 items, the members of a 10^4-member set, the intersection of two 10^4-member sets; and,
//! printed before the timings, what each list item and set member costs in memory.
//!
//! `cargo bench -p host-test --bench collections` (starts its own `redis-server`, append-only
//! with an fsync a second, as the redis bench does).

#![allow(
    clippy::cast_precision_loss,
    reason = "byte counts are printed as per-element averages"
)]

mod common;

use std::hint::black_box;

use common::key;
use criterion::{Criterion, criterion_group, criterion_main};
use host_test::redis::RedisServer;
use host_test::{Harness, HostState, MemkvInstance};
use wasmtime::component::ResourceAny;

const LIST: usize = 1_000;
const SET: usize = 10_000;
const MEASURED: usize = 100_000;
const BUCKET: &str = "bench";

/// `n` items of 16 bytes, the `i`th being `key(offset + i)`.
fn items(offset: usize, n: usize) -> Vec<Vec<u8>> {
    (offset..offset + n).map(|i| key(i).into_bytes()).collect()
}

/// An instance with a list `l` of [`LIST`] items and sets `a` and `b` of [`SET`] members each,
/// half of them shared.
fn filled(mut memkv: MemkvInstance<HostState>) -> (MemkvInstance<HostState>, ResourceAny) {
    let bucket = memkv.draft().open(BUCKET).unwrap().unwrap();
    let mut collections = memkv.collections();
    collections
        .list_push(bucket, "l", &items(0, LIST))
        .unwrap()
        .unwrap();
    for chunk in items(0, SET).chunks(1000) {
        collections.set_add(bucket, "a", chunk).unwrap().unwrap();
    }
    for chunk in items(SET / 2, SET).chunks(1000) {
        collections.set_add(bucket, "b", chunk).unwrap().unwrap();
    }
    (memkv, bucket)
}

/// Fill the key `x` of [`BUCKET`] with [`MEASURED`] items of 16 bytes: a set if `set`, else a
/// list, 1,000 at a time.
fn fill_x(memkv: &mut MemkvInstance<HostState>, set: bool) {
    let bucket = memkv.draft().open(BUCKET).unwrap().unwrap();
    for chunk in items(0, MEASURED).chunks(1000) {
        let mut collections = memkv.collections();
        if set {
            collections.set_add(bucket, "x", chunk).unwrap().unwrap();
        } else {
            collections.list_push(bucket, "x", chunk).unwrap().unwrap();
        }
    }
    memkv.draft().drop_bucket(bucket).unwrap();
}

/// Bytes of memory one more list item and one more set member of 16 bytes cost in the
/// in-memory engine: linear memory grown by [`MEASURED`] of each, per element.
fn memory_per_element() -> (f64, f64) {
    let grown = |set: bool| {
        let mut memkv = Harness::shared().instantiate().unwrap();
        let before = memkv.data().memory_bytes();
        fill_x(&mut memkv, set);
        (memkv.data().memory_bytes() - before) as f64 / MEASURED as f64
    };
    (grown(false), grown(true))
}

/// The same, for a Redis server: its `used_memory` grown by [`MEASURED`] of each, per element.
fn redis_memory_per_element(server: &RedisServer, harness: &Harness) -> (f64, f64) {
    let used = || -> f64 {
        let info = server.cli(&["info", "memory"]).unwrap();
        let line = info
            .lines()
            .find_map(|line| line.strip_prefix("used_memory:"))
            .expect("INFO memory has used_memory");
        line.trim().parse().unwrap()
    };
    let grown = |set: bool| {
        let mut memkv = harness.instantiate().unwrap();
        let before = used();
        fill_x(&mut memkv, set);
        (used() - before) / MEASURED as f64
    };
    (grown(false), grown(true))
}

fn collections(c: &mut Criterion) {
    // As the redis bench runs it: append-only with an fsync a second (the tests fsync every
    // write).
    let server =
        RedisServer::start_with(&["--appendfsync", "everysec"]).expect("redis-server starts");
    let redis = Harness::redis_at(&server.url()).expect("memkv-redis.wasm compiles");
    let (list, set) = memory_per_element();
    println!("memkv: {list:.1} bytes per 16-byte list item, {set:.1} per 16-byte set member");
    let (list, set) = redis_memory_per_element(&server, &redis);
    println!("redis: {list:.1} bytes per 16-byte list item, {set:.1} per 16-byte set member");

    for (engine, harness) in [("memkv", Harness::shared()), ("memkv-redis", &redis)] {
        let (mut memkv, bucket) = filled(harness.instantiate().unwrap());
        let mut group = common::group(c, &format!("collections/{engine}"));
        let item = [b"pushed-item-0016".to_vec()];
        group.bench_function("list-push of 1", |b| {
            b.iter(|| {
                memkv
                    .collections()
                    .list_push(bucket, "p", &item)
                    .unwrap()
                    .unwrap()
            });
        });
        group.bench_function("list-range of 100", |b| {
            b.iter(|| {
                let range = memkv.collections().list_range(bucket, "l", 400, 499);
                black_box(range.unwrap().unwrap())
            });
        });
        group.bench_function("set-members of 10^4", |b| {
            b.iter(|| {
                black_box(
                    memkv
                        .collections()
                        .set_members(bucket, "a")
                        .unwrap()
                        .unwrap(),
                )
            });
        });
        let both = ["a".to_string(), "b".to_string()];
        group.bench_function("set-intersection of 2 x 10^4", |b| {
            b.iter(|| {
                let common = memkv.collections().set_intersection(bucket, &both);
                black_box(common.unwrap().unwrap())
            });
        });
        group.finish();
        memkv.draft().drop_bucket(bucket).unwrap();
    }
}

criterion_group!(benches, collections);
criterion_main!(benches);
