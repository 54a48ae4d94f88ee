//! memkv-redis on a 3-primary, 3-replica Redis Cluster whose primary fails over while a writer
//! runs: calls in the window may fail, with an error, and never trap; calls after it succeed;
//! no acknowledged write is lost — by a manual failover, and by a killed primary when
//! `MEMKV_REDIS_WAIT` makes every write wait for its replica.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use host_test::redis::RedisCluster;
use host_test::{HostState, MemkvInstance};
use wasmtime::component::ResourceAny;

use super::harness;

/// What a writer saw: increments acknowledged, and the errors of those that were not.
struct Writer {
    memkv: MemkvInstance<HostState>,
    bucket: ResourceAny,
    acknowledged: u64,
    errors: Vec<String>,
}

impl Writer {
    /// A writer on the store `prefix` of `cluster` (with `MEMKV_REDIS_WAIT=1` if `wait`), once
    /// its first 100 increments are acknowledged.
    fn new(cluster: &RedisCluster, prefix: &str, wait: bool) -> Result<Self> {
        let seeds = cluster.seeds();
        let mut env = vec![
            ("MEMKV_REDIS_CLUSTER", seeds.as_str()),
            ("MEMKV_REDIS_PREFIX", prefix),
            ("MEMKV_REDIS_TIMEOUT_MS", "2000"),
        ];
        if wait {
            env.push(("MEMKV_REDIS_WAIT", "1"));
        }
        let mut memkv = harness().instantiate_with_env(&env)?;
        let bucket = memkv.draft().open("b")?.unwrap();
        let mut writer = Self {
            memkv,
            bucket,
            acknowledged: 0,
            errors: Vec::new(),
        };
        for _ in 0..100 {
            assert!(writer.increment()?, "{:?}", writer.errors);
        }
        Ok(writer)
    }

    /// One increment of the counter `n`; `true` if it was acknowledged. A trap fails the test.
    fn increment(&mut self) -> Result<bool> {
        match self.memkv.draft().increment(self.bucket, "n", 1)? {
            Ok(_) => {
                self.acknowledged += 1;
                Ok(true)
            }
            Err(error) => {
                self.errors.push(format!("{error:?}"));
                Ok(false)
            }
        }
    }

    /// Increment until `done` says the failover is over and then 100 increments in a row have
    /// been acknowledged (`steady`), or just until `done` (not `steady`).
    fn run_through(&mut self, steady: bool, mut done: impl FnMut() -> Result<bool>) -> Result<()> {
        let started = Instant::now();
        let deadline = started + Duration::from_secs(60);
        let (mut over, mut in_a_row, mut calls) = (false, 0, 0u64);
        let wanted = if steady { 100 } else { 0 };
        while !(over && in_a_row >= wanted) {
            if Instant::now() > deadline {
                bail!(
                    "no steady writes 60 s after the failover began; errors: {:?}",
                    self.errors
                );
            }
            calls += 1;
            // Asked every 25 calls, and after every failed one (a failing call can take the
            // whole timeout).
            if !over && (calls.is_multiple_of(25) || in_a_row == 0) {
                over = done()?;
                in_a_row = 0;
            }
            in_a_row = if self.increment()? { in_a_row + 1 } else { 0 };
        }
        println!(
            "{calls} calls in {:.1?}, {} errors so far: {:?}",
            started.elapsed(),
            self.errors.len(),
            self.errors
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
        );
        Ok(())
    }

    /// The counter as the cluster has it now counts every acknowledged increment, and at most
    /// those that failed besides (a failed call may have been applied).
    fn assert_none_lost(&mut self) -> Result<()> {
        let value = self.memkv.draft().get(self.bucket, "n")?.unwrap();
        let counter: u64 = String::from_utf8(value.context("the counter exists")?)?.parse()?;
        let attempted = self.acknowledged + self.errors.len() as u64;
        assert!(
            (self.acknowledged..=attempted).contains(&counter),
            "{counter} counted, {} acknowledged of {attempted}: {:?}",
            self.acknowledged,
            self.errors
        );
        Ok(())
    }
}

/// The ports of the primary that serves `key` and of its replica.
fn primary_and_replica(cluster: &RedisCluster, key: &str) -> Result<(u16, u16)> {
    let (primary, replica) = cluster.primary_of(key)?;
    Ok((primary, replica.context("the primary has a replica")?))
}

/// Whether the node on `port` now serves `key` as its primary (no node does while the failed
/// one is still listed as its primary, marked failing).
fn promoted(cluster: &RedisCluster, key: &str, port: u16) -> Result<bool> {
    Ok(cluster
        .primary_of(key)
        .is_ok_and(|(primary, _)| primary == port))
}

#[test]
fn a_manual_failover_while_a_writer_runs_loses_no_acknowledged_write() -> Result<()> {
    let cluster = RedisCluster::start_with(3, 1, 1000)?;
    let tag = "{failover}";
    let (primary, replica) = primary_and_replica(&cluster, tag)?;
    let mut writer = Writer::new(&cluster, "failover", false)?;

    cluster.node(replica)?.cli(&["CLUSTER", "FAILOVER"])?;
    writer.run_through(true, || promoted(&cluster, tag, replica))?;

    assert_ne!(cluster.primary_of(tag)?.0, primary);
    writer.assert_none_lost()?;
    Ok(())
}

#[test]
fn with_memkv_redis_wait_a_killed_primary_loses_no_acknowledged_write() -> Result<()> {
    let mut cluster = RedisCluster::start_with(3, 1, 1000)?;
    let tag = "{killed}";
    let (primary, replica) = primary_and_replica(&cluster, tag)?;
    let mut writer = Writer::new(&cluster, "killed", true)?;

    cluster.kill(primary);
    writer.run_through(false, || promoted(&cluster, tag, replica))?;
    // The new primary has no replica yet, so MEMKV_REDIS_WAIT=1 cannot be met: the write is
    // applied but not acknowledged, and the error says so.
    assert!(!writer.increment()?, "no replica, no acknowledgement");
    let last = writer.errors.last().expect("the error");
    assert!(last.contains("0 of the 1 replicas"), "{last}");
    // A read made no write to wait for: it answers.
    let read = writer.memkv.draft().get(writer.bucket, "n")?;
    assert!(read.is_ok(), "{read:?}");

    // The killed node comes back as the new primary's replica; writes are acknowledged again.
    cluster.restart(primary)?;
    writer.run_through(true, || Ok(true))?;

    writer.assert_none_lost()?;
    Ok(())
}
