//! Snapshots of a large store: `save` and `load` of 10^6 entries (16-byte keys, 100-byte values),
//! through the component and on the native core, and the snapshot's size (printed).
//!
//! `cargo bench -p host-test --bench snapshot`

#[allow(
    dead_code,
    reason = "this bench keeps its own group settings: it uses only `key`"
)]
mod common;

use std::hint::black_box;
use std::time::Duration;

use common::key;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use host_test::{Entry, Harness};
use memkv::store::Store;

const ENTRIES: usize = 1_000_000;
const VALUE_BYTES: usize = 100;

fn snapshots(c: &mut Criterion) {
    let harness = Harness::load().unwrap();
    let mut memkv = harness.instantiate().unwrap();
    let handle = memkv.draft().open("bench").unwrap().unwrap();
    let value = vec![7; VALUE_BYTES];
    for start in (0..ENTRIES).step_by(1000) {
        let entries: Vec<Entry> = (start..start + 1000)
            .map(|i| (key(i), value.clone()))
            .collect();
        memkv.draft().set_many(handle, &entries).unwrap().unwrap();
    }
    memkv.draft().drop_bucket(handle).unwrap();
    let snapshot = memkv.snapshot().save().unwrap();
    println!(
        "snapshot: {ENTRIES} entries of 16 B keys / {VALUE_BYTES} B values: {} bytes \
         ({:.1} bytes per entry)",
        snapshot.len(),
        snapshot.len() as f64 / ENTRIES as f64
    );
    let native = Store::load(&snapshot).unwrap();

    let mut group = c.benchmark_group("snapshot/10^6 entries");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(15));
    group.throughput(Throughput::Bytes(snapshot.len() as u64));
    group.bench_function("save host→memkv", |b| {
        b.iter(|| black_box(memkv.snapshot().save().unwrap().len()))
    });
    // The loaded instance (and below, the loaded store) is dropped after the timing: freeing
    // 10^6 entries, or unmapping the instance's memory, is not part of a load.
    group.bench_function("load host→memkv (fresh instance)", |b| {
        b.iter_with_large_drop(|| {
            let mut fresh = harness.instantiate().unwrap();
            fresh.snapshot().load(&snapshot).unwrap().unwrap();
            fresh
        })
    });
    group.bench_function("save native", |b| {
        b.iter(|| black_box(native.save().unwrap().len()))
    });
    group.bench_function("load native", |b| {
        b.iter_with_large_drop(|| Store::load(&snapshot).unwrap())
    });
    group.finish();
}

criterion_group!(benches, snapshots);
criterion_main!(benches);
