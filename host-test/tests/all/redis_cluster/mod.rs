//! The engine suites a third time, against memkv-redis on a local 3-node Redis Cluster: the
//! same files, the same expected answers.

use host_test::Harness;

/// The component the engine suites in this module run against: `memkv-redis.wasm`, each
/// instance on a store of its own in the process's Redis Cluster.
fn harness() -> &'static Harness {
    Harness::redis_cluster()
}

engine_suites!();

#[path = "../redis/concurrency.rs"]
mod concurrency;
mod failover;

/// A store whose slot moves to another node while an instance uses it: the next calls follow
/// the cluster's `MOVED` answer and find everything where it went.
#[test]
fn a_store_keeps_working_when_its_slot_moves_to_another_node() -> anyhow::Result<()> {
    let prefix = format!("moving-{}", std::process::id());
    let mut memkv = harness().instantiate_on(&prefix)?;
    let bucket = memkv.draft().open("b")?.unwrap();
    for i in 0..50 {
        memkv
            .draft()
            .set(bucket, &format!("k{i:02}"), b"v")?
            .unwrap();
    }
    memkv.draft().increment(bucket, "n", 1)?.unwrap();
    let snapshot = memkv.snapshot().save()?;

    let (from, to) = Harness::cluster().move_slot_of(&format!("{{{prefix}}}"))?;
    assert_ne!(from, to);

    assert_eq!(memkv.draft().increment(bucket, "n", 1)?.unwrap(), 2);
    let listing = memkv.draft().list_all_keys(bucket)?.unwrap();
    assert_eq!(listing.keys.len(), 51);
    assert_eq!(
        memkv.draft().get(bucket, "k07")?.unwrap(),
        Some(b"v".to_vec())
    );
    assert_eq!(memkv.limits().usage()?.entries, 51);
    memkv.snapshot().load(&snapshot)?.unwrap();
    assert_eq!(memkv.api().get("b", "n")?, Some(b"1".to_vec()));
    memkv.draft().drop_bucket(bucket)?;

    let mut fresh = harness().instantiate_on(&prefix)?;
    assert_eq!(fresh.snapshot().save()?, snapshot);
    Ok(())
}
