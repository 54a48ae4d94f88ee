//! What the criterion benches share.

use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};

/// The benchmark group `name`: one second of warm-up, three of measurement, 20 samples.
pub fn group<'c>(c: &'c mut Criterion, name: &str) -> BenchmarkGroup<'c, WallTime> {
    let mut group = c.benchmark_group(name);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    group.sample_size(20);
    group
}

/// The `i`th key of the workloads: 16 bytes, `key0000000000042`.
pub fn key(i: usize) -> String {
    format!("key{i:013}")
}
