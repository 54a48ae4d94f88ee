//! `golem:api/save-snapshot` and `load-snapshot` through the real component: round trips,
//! refusals that change nothing, and bucket handles that outlive a load.

use host_test::bindings::exports::memkv::store::limits::Limits;
use host_test::{Entry, Harness, HostState, MemkvInstance};
use memkv::store::{SNAPSHOT_MAGIC, SNAPSHOT_VERSION};
use wasmtime::Result;

use super::harness;

/// An instance holding a little of everything: empty and non-empty buckets, long keys, counters,
/// binary values and non-default limits.
fn populated() -> Result<MemkvInstance<HostState>> {
    let mut memkv = harness().instantiate()?;
    let limits = Limits {
        page_size: 3,
        max_entries_per_bucket: 500,
        ..memkv.limits().get()?
    };
    memkv.limits().set(limits)?.unwrap();
    let empty = memkv.draft().open("empty")?.unwrap();
    memkv.draft().drop_bucket(empty)?;
    let bucket = memkv.draft().open("b")?.unwrap();
    let entries: Vec<Entry> = (0..100)
        .map(|i| {
            (
                format!("key-{i:03}-{}", "x".repeat(i % 20)),
                vec![u8::try_from(i).unwrap(); i],
            )
        })
        .collect();
    memkv.draft().set_many(bucket, &entries)?.unwrap();
    memkv.draft().increment(bucket, "counter", 41)?.unwrap();
    memkv.draft().drop_bucket(bucket)?;
    memkv.api().set("", "", b"")?;
    memkv.api().set("golem", "k", &[0, 255, 10, 13])?;
    Ok(memkv)
}

/// Every bucket's keys and values, read back through the component.
fn dump(memkv: &mut MemkvInstance<HostState>) -> Result<Vec<(String, Vec<Entry>)>> {
    let mut all = Vec::new();
    for name in ["", "b", "empty", "golem", "never-opened"] {
        let bucket = memkv.draft().open(name)?.unwrap();
        let keys = memkv.draft().list_all_keys(bucket)?.unwrap().keys;
        let values = memkv.draft().get_many(bucket, &keys)?.unwrap();
        memkv.draft().drop_bucket(bucket)?;
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
    let snapshot = old.snapshot().save()?;
    assert_eq!(snapshot[..8], SNAPSHOT_MAGIC);
    assert_eq!(snapshot[8..12], SNAPSHOT_VERSION.to_le_bytes());

    let mut new = harness().instantiate()?;
    new.snapshot()
        .load(&snapshot)?
        .expect("a saved snapshot loads");
    assert_eq!(new.limits().get()?, old.limits().get()?);
    assert_eq!(new.limits().usage()?, old.limits().usage()?);
    assert_eq!(new.snapshot().save()?, snapshot);
    assert_eq!(dump(&mut new)?, dump(&mut old)?);
    assert_eq!(new.api().get("b", "counter")?, Some(b"41".to_vec()));
    Ok(())
}

#[test]
fn an_empty_store_saves_and_loads() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let snapshot = memkv.snapshot().save()?;
    assert_eq!(snapshot.len(), 60);
    let mut other = populated()?;
    other.snapshot().load(&snapshot)?.unwrap();
    assert_eq!(other.api().get("b", "counter")?, None);
    assert_eq!(other.limits().usage()?.entries, 0);
    Ok(())
}

#[test]
fn bad_snapshots_are_refused_with_a_precise_message_and_change_nothing() -> Result<()> {
    let snapshot = populated()?.snapshot().save()?;
    let len = snapshot.len();
    let mut memkv = harness().instantiate()?;
    memkv.api().set("mine", "k", b"kept")?;
    let before = memkv.snapshot().save()?;

    let mut wrong_version = snapshot.clone();
    wrong_version[8..12].copy_from_slice(&4u32.to_le_bytes());
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
            "snapshot format version 4 is not supported: this memkv reads versions 1 to 3".into(),
        ),
        (&corrupted, "snapshot is corrupted: its checksum is".into()),
        (
            b"{\"json\": true}",
            "not a memkv snapshot: the bytes do not start with the memkv magic number".into(),
        ),
    ];
    for (bytes, expected) in cases {
        let message = memkv.snapshot().load(bytes)?.expect_err("refused");
        assert!(
            message.starts_with(&expected),
            "{message:?} vs {expected:?}"
        );
        assert_eq!(memkv.snapshot().save()?, before, "after {message:?}");
    }
    assert_eq!(memkv.api().get("mine", "k")?, Some(b"kept".to_vec()));
    Ok(())
}

#[test]
fn a_snapshot_over_its_own_limits_is_refused() -> Result<()> {
    // Saved with room for 100-byte values, then the limit in the bytes is lowered to 99 and the
    // checksum recomputed, as a hand-edited or foreign snapshot might be.
    let mut memkv = harness().instantiate()?;
    memkv.api().set("b", "k", &[1; 100])?;
    let mut snapshot = memkv.snapshot().save()?;
    snapshot[24..28].copy_from_slice(&99u32.to_le_bytes());
    let body = snapshot.len() - 4;
    let checksum = crc32(&snapshot[..body]);
    snapshot[body..].copy_from_slice(&checksum.to_le_bytes());

    let mut fresh = harness().instantiate()?;
    assert_eq!(
        fresh.snapshot().load(&snapshot)?,
        Err(
            "snapshot cannot be loaded: quota exceeded: a value of 100 bytes is over \
             max-value-bytes (99)"
                .into()
        )
    );
    assert_eq!(fresh.limits().usage()?.buckets, 0);
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
    let mut source = harness().instantiate()?;
    source.api().set("b", "k", b"from the snapshot")?;
    let snapshot = source.snapshot().save()?;

    let mut memkv = harness().instantiate()?;
    for name in ["a", "b", "c"] {
        memkv.api().set(name, "k", b"before")?;
    }
    let b = memkv.draft().open("b")?.unwrap();
    let c = memkv.draft().open("c")?.unwrap();
    memkv.snapshot().load(&snapshot)?.unwrap();
    assert_eq!(
        memkv.draft().get(b, "k")?.unwrap(),
        Some(b"from the snapshot".to_vec())
    );
    assert_eq!(
        memkv.draft().get(c, "k")?.unwrap(),
        None,
        "c is not in the snapshot"
    );
    memkv.draft().set(c, "k", b"after")?.unwrap();
    assert_eq!(memkv.api().get("c", "k")?, Some(b"after".to_vec()));
    assert_eq!(memkv.api().get("a", "k")?, None);
    memkv.draft().drop_bucket(b)?;
    memkv.draft().drop_bucket(c)
}

#[test]
fn reads_through_a_handle_whose_bucket_a_load_removed_create_nothing() -> Result<()> {
    let snapshot = harness().instantiate()?.snapshot().save()?;
    let mut memkv = harness().instantiate()?;
    memkv.api().set("gone", "k", b"v")?;
    let draft = memkv.draft().open("gone")?.unwrap();
    let draft2 = memkv.draft2().open("gone")?.unwrap();
    memkv.snapshot().load(&snapshot)?.unwrap();
    let usage = memkv.limits().usage()?;

    let mut view = memkv.draft();
    assert_eq!(view.get(draft, "k")?.unwrap(), None);
    assert!(!view.exists(draft, "k")?.unwrap());
    assert_eq!(
        view.list_all_keys(draft)?.unwrap().keys,
        Vec::<String>::new()
    );
    assert_eq!(view.get_many(draft, &["k".into()])?.unwrap(), [None]);
    view.delete(draft, "k")?.unwrap();
    view.delete_many(draft, &["k".into()])?.unwrap();
    let mut view = memkv.draft2();
    assert_eq!(view.get(draft2, "k")?.unwrap(), None);
    assert_eq!(
        view.list_keys(draft2, None)?.unwrap().keys,
        Vec::<String>::new()
    );
    let cas = view.cas(draft2, "k")?.unwrap();
    assert_eq!(memkv.limits().usage()?, usage, "no read created the bucket");
    assert_eq!(memkv.snapshot().save()?, snapshot, "the store is as loaded");

    // The first write creates the bucket, and a swap observed before it still succeeds.
    assert_eq!(memkv.draft2().swap(cas, b"swapped")?, Ok(()));
    assert_eq!(memkv.api().get("gone", "k")?, Some(b"swapped".to_vec()));
    assert_eq!(memkv.limits().usage()?.buckets, 1);
    memkv.draft().drop_bucket(draft)?;
    memkv.draft2().drop_bucket(draft2)
}

#[test]
fn listings_in_progress_end_at_a_load() -> Result<()> {
    let mut memkv = populated()?;
    let snapshot = memkv.snapshot().save()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    let cursor = memkv
        .draft()
        .list_keys(bucket, None)?
        .unwrap()
        .cursor
        .unwrap();
    memkv.snapshot().load(&snapshot)?.unwrap();
    let message = host_test::expect_other(memkv.draft().list_keys(bucket, Some(cursor))?);
    assert!(message.contains("has expired"), "{message}");
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn a_load_survives_a_component_reload() -> Result<()> {
    // What a Golem snapshot-based update does: save on the running instance, load into an
    // instance of a freshly compiled component.
    let snapshot = populated()?.snapshot().save()?;
    let harness = Harness::load()?;
    let mut upgraded = harness.instantiate()?;
    upgraded.snapshot().load(&snapshot)?.unwrap();
    assert_eq!(upgraded.snapshot().save()?, snapshot);
    Ok(())
}
