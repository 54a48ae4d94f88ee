//! `golem:api/save-snapshot` and `load-snapshot` through the real component: round trips,
//! refusals that change nothing, and bucket handles that outlive a load.

use host_test::bindings::exports::memkv::store::limits::Limits;
use host_test::{Entry, Harness, Instance};
use memkv::store::{SNAPSHOT_MAGIC, SNAPSHOT_VERSION};
use wasmtime::Result;

/// An instance holding a little of everything: empty and non-empty buckets, long keys, counters,
/// binary values and non-default limits.
fn populated() -> Result<Instance> {
    let mut memkv = Harness::shared().instantiate()?;
    let limits = Limits {
        page_size: 3,
        max_entries_per_bucket: 500,
        ..memkv.get_limits()?
    };
    memkv.set_limits(limits)?.unwrap();
    let empty = memkv.open("empty")?.unwrap();
    memkv.drop_bucket(empty)?;
    let bucket = memkv.open("b")?.unwrap();
    let entries: Vec<Entry> = (0..100)
        .map(|i| {
            (
                format!("key-{i:03}-{}", "x".repeat(i % 20)),
                vec![u8::try_from(i).unwrap(); i],
            )
        })
        .collect();
    memkv.set_many(bucket, &entries)?.unwrap();
    memkv.increment(bucket, "counter", 41)?.unwrap();
    memkv.drop_bucket(bucket)?;
    memkv.api_set("", "", b"")?;
    memkv.api_set("golem", "k", &[0, 255, 10, 13])?;
    Ok(memkv)
}

/// Every bucket's keys and values, read back through the component.
fn dump(memkv: &mut Instance) -> Result<Vec<(String, Vec<Entry>)>> {
    let mut all = Vec::new();
    for name in ["", "b", "empty", "golem", "never-opened"] {
        let bucket = memkv.open(name)?.unwrap();
        let keys = memkv.list_all_keys(bucket)?.unwrap().keys;
        let values = memkv.get_many(bucket, &keys)?.unwrap();
        memkv.drop_bucket(bucket)?;
        all.push((
            name.to_owned(),
            values.into_iter().map(Option::unwrap).collect(),
        ));
    }
    Ok(all)
}

#[test]
fn save_then_load_into_a_fresh_instance_round_trips_exactly() -> Result<()> {
    let mut old = populated()?;
    let snapshot = old.save()?;
    assert_eq!(snapshot[..8], SNAPSHOT_MAGIC);
    assert_eq!(snapshot[8..12], SNAPSHOT_VERSION.to_le_bytes());

    let mut new = Harness::shared().instantiate()?;
    new.load(&snapshot)?.expect("a saved snapshot loads");
    assert_eq!(new.get_limits()?, old.get_limits()?);
    assert_eq!(new.get_usage()?, old.get_usage()?);
    assert_eq!(new.save()?, snapshot);
    assert_eq!(dump(&mut new)?, dump(&mut old)?);
    assert_eq!(new.api_get("b", "counter")?, Some(b"41".to_vec()));
    Ok(())
}

#[test]
fn an_empty_store_saves_and_loads() -> Result<()> {
    let mut memkv = Harness::shared().instantiate()?;
    let snapshot = memkv.save()?;
    assert_eq!(snapshot.len(), 60);
    let mut other = populated()?;
    other.load(&snapshot)?.unwrap();
    assert_eq!(other.api_get("b", "counter")?, None);
    assert_eq!(other.get_usage()?.entries, 0);
    Ok(())
}

#[test]
fn bad_snapshots_are_refused_with_a_precise_message_and_change_nothing() -> Result<()> {
    let snapshot = populated()?.save()?;
    let len = snapshot.len();
    let mut memkv = Harness::shared().instantiate()?;
    memkv.api_set("mine", "k", b"kept")?;
    let before = memkv.save()?;

    let mut wrong_version = snapshot.clone();
    wrong_version[8..12].copy_from_slice(&2u32.to_le_bytes());
    let mut corrupted = snapshot.clone();
    corrupted[len / 2] ^= 0x40;
    let mut longer = snapshot.clone();
    longer.extend_from_slice(b"??");
    let cases: [(&[u8], String); 6] = [
        (
            &snapshot[..len - 10],
            format!("snapshot is truncated: {} bytes of {len}", len - 10),
        ),
        (
            &snapshot[..5],
            "snapshot is truncated: 5 bytes of 60".into(),
        ),
        (
            &longer,
            format!("snapshot has 2 bytes after its end ({len} bytes)"),
        ),
        (
            &wrong_version,
            "snapshot format version 2 is not supported: this memkv reads version 1".into(),
        ),
        (&corrupted, "snapshot is corrupted: its checksum is".into()),
        (
            b"{\"json\": true}",
            "not a memkv snapshot: the bytes do not start with the memkv magic number".into(),
        ),
    ];
    for (bytes, expected) in cases {
        let message = memkv.load(bytes)?.expect_err("refused");
        assert!(
            message.starts_with(&expected),
            "{message:?} vs {expected:?}"
        );
        assert_eq!(memkv.save()?, before, "after {message:?}");
    }
    assert_eq!(memkv.api_get("mine", "k")?, Some(b"kept".to_vec()));
    Ok(())
}

#[test]
fn a_snapshot_over_its_own_limits_is_refused() -> Result<()> {
    // Saved with room for 100-byte values, then the limit in the bytes is lowered to 99 and the
    // checksum recomputed, as a hand-edited or foreign snapshot might be.
    let mut memkv = Harness::shared().instantiate()?;
    memkv.api_set("b", "k", &[1; 100])?;
    let mut snapshot = memkv.save()?;
    snapshot[24..28].copy_from_slice(&99u32.to_le_bytes());
    let body = snapshot.len() - 4;
    let checksum = crc32(&snapshot[..body]);
    snapshot[body..].copy_from_slice(&checksum.to_le_bytes());

    let mut fresh = Harness::shared().instantiate()?;
    assert_eq!(
        fresh.load(&snapshot)?,
        Err(
            "snapshot cannot be loaded: quota exceeded: a value of 100 bytes is over \
             max-value-bytes (99)"
                .into()
        )
    );
    assert_eq!(fresh.get_usage()?.buckets, 0);
    Ok(())
}

/// CRC-32 (IEEE), bit by bit: independent of the implementation memkv uses.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn bucket_handles_opened_before_a_load_reach_the_loaded_buckets() -> Result<()> {
    let mut source = Harness::shared().instantiate()?;
    source.api_set("b", "k", b"from the snapshot")?;
    let snapshot = source.save()?;

    let mut memkv = Harness::shared().instantiate()?;
    for name in ["a", "b", "c"] {
        memkv.api_set(name, "k", b"before")?;
    }
    let b = memkv.open("b")?.unwrap();
    let c = memkv.open("c")?.unwrap();
    memkv.load(&snapshot)?.unwrap();
    assert_eq!(
        memkv.get(b, "k")?.unwrap(),
        Some(b"from the snapshot".to_vec())
    );
    assert_eq!(
        memkv.get(c, "k")?.unwrap(),
        None,
        "c is not in the snapshot"
    );
    memkv.set(c, "k", b"after")?.unwrap();
    assert_eq!(memkv.api_get("c", "k")?, Some(b"after".to_vec()));
    assert_eq!(memkv.api_get("a", "k")?, None);
    memkv.drop_bucket(b)?;
    memkv.drop_bucket(c)
}

#[test]
fn listings_in_progress_end_at_a_load() -> Result<()> {
    let mut memkv = populated()?;
    let snapshot = memkv.save()?;
    let bucket = memkv.open("b")?.unwrap();
    let cursor = memkv.list_keys(bucket, None)?.unwrap().cursor.unwrap();
    memkv.load(&snapshot)?.unwrap();
    let message = host_test::expect_other(memkv.list_keys(bucket, Some(cursor))?);
    assert!(message.contains("has expired"), "{message}");
    memkv.drop_bucket(bucket)
}

#[test]
fn a_load_survives_a_component_reload() -> Result<()> {
    // What a Golem snapshot-based update does: save on the running instance, load into an
    // instance of a freshly compiled component.
    let snapshot = populated()?.save()?;
    let harness = Harness::load()?;
    let mut upgraded = harness.instantiate()?;
    upgraded.load(&snapshot)?.unwrap();
    assert_eq!(upgraded.save()?, snapshot);
    Ok(())
}
