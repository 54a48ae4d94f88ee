//! `memkv:store/limits`: every limit at, just below and just above its boundary, through the
//! real component; refused writes change nothing.

use host_test::bindings::exports::memkv::store::limits::Limits;
use host_test::{Entry, HostState, MemkvInstance, expect_other};
use memkv::store::{BUCKET_OVERHEAD, ENTRY_OVERHEAD};
use wasmtime::Result;

use super::harness;

fn with_limits(change: impl FnOnce(&mut Limits)) -> Result<MemkvInstance<HostState>> {
    let mut memkv = harness().instantiate()?;
    let mut limits = memkv.limits().get()?;
    change(&mut limits);
    memkv.limits().set(limits)?.expect("valid limits");
    Ok(memkv)
}

fn assert_quota(message: &str, limit: &str, needed: u64, max: u64) {
    assert!(message.starts_with("quota exceeded: "), "{message}");
    assert!(message.contains(limit), "{message}");
    assert!(message.contains(&format!("{needed} ")), "{message}");
    assert!(message.contains(&format!("({max})")), "{message}");
}

#[test]
fn defaults_are_documented_ones() -> Result<()> {
    let limits = harness().instantiate()?.limits().get()?;
    assert_eq!(limits.max_key_bytes, 65_536);
    assert_eq!(limits.max_value_bytes, 16 << 20);
    assert_eq!(limits.max_total_bytes, 1 << 30);
    assert_eq!(limits.max_entries_per_bucket, u64::MAX);
    assert_eq!(limits.max_buckets, u32::MAX);
    assert_eq!(limits.page_size, 1000);
    Ok(())
}

#[test]
fn default_key_limit_holds_at_64_kib() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    for len in [65_535, 65_536] {
        memkv.draft().set(bucket, &"k".repeat(len), b"v")?.unwrap();
    }
    let message = expect_other(memkv.draft().set(bucket, &"k".repeat(65_537), b"v")?);
    assert_quota(&message, "max-key-bytes", 65_537, 65_536);
    assert!(!memkv.draft().exists(bucket, &"k".repeat(65_537))?.unwrap());
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn default_value_limit_holds_at_16_mib() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    memkv
        .draft()
        .set(bucket, "k", &vec![1; (16 << 20) - 1])?
        .unwrap();
    memkv.draft().set(bucket, "k", &vec![2; 16 << 20])?.unwrap();
    let message = expect_other(memkv.draft().set(bucket, "k", &vec![3; (16 << 20) + 1])?);
    assert_quota(&message, "max-value-bytes", (16 << 20) + 1, 16 << 20);
    assert_eq!(
        memkv.draft().get(bucket, "k")?.unwrap(),
        Some(vec![2; 16 << 20])
    );
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn key_and_value_limits_apply_to_every_write() -> Result<()> {
    let mut memkv = with_limits(|limits| {
        limits.max_key_bytes = 4;
        limits.max_value_bytes = 4;
    })?;
    let bucket = memkv.draft().open("b")?.unwrap();
    memkv.draft().set(bucket, "kkk", b"vvv")?.unwrap();
    memkv.draft().set(bucket, "kkkk", b"vvvv")?.unwrap();
    assert_quota(
        &expect_other(memkv.draft().set(bucket, "kkkkk", b"")?),
        "max-key-bytes",
        5,
        4,
    );
    assert_quota(
        &expect_other(memkv.draft().set(bucket, "k", b"vvvvv")?),
        "max-value-bytes",
        5,
        4,
    );
    let batch: Vec<Entry> = vec![("a".into(), b"1".to_vec()), ("b".into(), b"12345".to_vec())];
    assert_quota(
        &expect_other(memkv.draft().set_many(bucket, &batch)?),
        "max-value-bytes",
        5,
        4,
    );
    assert_eq!(
        memkv.draft().get(bucket, "a")?.unwrap(),
        None,
        "set-many is all or nothing"
    );
    assert_quota(
        &expect_other(memkv.draft().increment(bucket, "kkkkk", 1)?),
        "max-key-bytes",
        5,
        4,
    );
    memkv.draft().set(bucket, "n", b"9999")?.unwrap();
    assert_quota(
        &expect_other(memkv.draft().increment(bucket, "n", 1)?),
        "max-value-bytes",
        5,
        4,
    );
    assert_eq!(
        memkv.draft().get(bucket, "n")?.unwrap(),
        Some(b"9999".to_vec())
    );
    // A bucket identifier counts as a key.
    assert_quota(
        &expect_other(memkv.draft().open("bbbbb")?),
        "max-key-bytes",
        5,
        4,
    );
    memkv.api().set("bbbbb", "k", b"v")?;
    assert_eq!(
        memkv.api().get("bbbbb", "k")?,
        None,
        "api.set over a limit is not applied"
    );
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn total_bytes_are_limited_at_their_boundary() -> Result<()> {
    let entry = 1 + 10 + ENTRY_OVERHEAD;
    let room = 1 + BUCKET_OVERHEAD + 3 * entry;
    let mut memkv = with_limits(|limits| limits.max_total_bytes = room)?;
    let bucket = memkv.draft().open("b")?.unwrap();
    memkv.draft().set(bucket, "a", &[0; 10])?.unwrap();
    memkv.draft().set(bucket, "b", &[0; 10])?.unwrap();
    assert_eq!(
        memkv.limits().usage()?.total_bytes,
        room - entry,
        "just below"
    );
    memkv.draft().set(bucket, "c", &[0; 10])?.unwrap();
    assert_eq!(memkv.limits().usage()?.total_bytes, room, "at");
    let message = expect_other(memkv.draft().set(bucket, "d", &[])?);
    assert_quota(&message, "max-total-bytes", room + 1 + ENTRY_OVERHEAD, room);
    let message = expect_other(memkv.draft().set(bucket, "a", &[0; 11])?);
    assert_quota(&message, "max-total-bytes", room + 1, room);
    assert_eq!(
        memkv.limits().usage()?.total_bytes,
        room,
        "refused writes change nothing"
    );
    memkv.draft().delete(bucket, "c")?.unwrap();
    memkv.draft().set(bucket, "d", &[0; 10])?.unwrap();
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn entries_per_bucket_are_limited_at_their_boundary() -> Result<()> {
    let mut memkv = with_limits(|limits| limits.max_entries_per_bucket = 3)?;
    let bucket = memkv.draft().open("b")?.unwrap();
    let two: Vec<Entry> = vec![("a".into(), vec![]), ("b".into(), vec![])];
    memkv.draft().set_many(bucket, &two)?.unwrap();
    memkv.draft().increment(bucket, "c", 1)?.unwrap();
    assert_eq!(memkv.limits().usage()?.entries, 3);
    assert_quota(
        &expect_other(memkv.draft().set(bucket, "d", b"")?),
        "max-entries-per-bucket",
        4,
        3,
    );
    memkv
        .draft()
        .set(bucket, "a", b"replacing is fine")?
        .unwrap();
    let other = memkv.draft().open("other")?.unwrap();
    memkv.draft().set(other, "d", b"")?.unwrap();
    memkv.draft().drop_bucket(bucket)?;
    memkv.draft().drop_bucket(other)
}

#[test]
fn buckets_are_limited_at_their_boundary() -> Result<()> {
    let mut memkv = with_limits(|limits| limits.max_buckets = 2)?;
    let first = memkv.draft().open("one")?.unwrap();
    memkv.api().set("two", "k", b"v")?;
    assert_eq!(memkv.limits().usage()?.buckets, 2);
    assert_quota(
        &expect_other(memkv.draft().open("three")?),
        "max-buckets",
        3,
        2,
    );
    let again = memkv.draft().open("two")?.unwrap();
    assert_eq!(memkv.draft().get(again, "k")?.unwrap(), Some(b"v".to_vec()));
    memkv.draft().drop_bucket(first)?;
    memkv.draft().drop_bucket(again)
}

#[test]
fn page_size_is_a_limit_too() -> Result<()> {
    let mut memkv = with_limits(|limits| limits.page_size = 3)?;
    let bucket = memkv.draft().open("b")?.unwrap();
    let entries: Vec<Entry> = (0..7).map(|i| (format!("k{i}"), vec![])).collect();
    memkv.draft().set_many(bucket, &entries)?.unwrap();
    let listing = memkv.draft().list_all_keys(bucket)?.unwrap();
    assert_eq!(listing.page_sizes, [3, 3, 1]);
    let mut limits = memkv.limits().get()?;
    limits.page_size = 0;
    assert_eq!(
        memkv.limits().set(limits)?,
        Err("page-size must be at least 1".into())
    );
    assert_eq!(
        memkv.limits().get()?.page_size,
        3,
        "a refused set-limits changes nothing"
    );
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn limits_below_what_is_stored_are_refused() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    memkv.api().set("b", "k", &[7; 100])?;
    let before = memkv.limits().get()?;
    let mut limits = before;
    limits.max_value_bytes = 99;
    assert_eq!(
        memkv.limits().set(limits)?,
        Err(
            "what is stored does not fit: a value of 100 bytes is over max-value-bytes (99)".into()
        )
    );
    assert_eq!(
        memkv.limits().get()?,
        before,
        "a refused set-limits changes nothing"
    );
    limits.max_value_bytes = 100;
    memkv
        .limits()
        .set(limits)?
        .expect("exactly what is stored fits");
    assert_eq!(memkv.api().get("b", "k")?, Some(vec![7; 100]));
    Ok(())
}

#[test]
fn a_refused_api_set_creates_no_bucket() -> Result<()> {
    let mut memkv = with_limits(|limits| limits.max_value_bytes = 4)?;
    let usage = memkv.limits().usage()?;
    memkv.api().set("new", "k", b"too long")?;
    assert_eq!(memkv.limits().usage()?, usage, "no bucket, no entry");
    memkv.api().set("new", "k", b"fits")?;
    assert_eq!(memkv.limits().usage()?.buckets, usage.buckets + 1);
    Ok(())
}
