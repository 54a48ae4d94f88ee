//! `wasi:keyvalue/atomics@0.2.0-draft`: `increment` on decimal ASCII counters.

use host_test::expect_other;
use wasmtime::Result;

use super::harness;

#[test]
fn increment_of_a_missing_key_starts_at_zero() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    assert_eq!(memkv.draft().increment(bucket, "c", 5)?.unwrap(), 5);
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn counters_are_stored_as_decimal_ascii() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    memkv.draft().increment(bucket, "c", 5)?.unwrap();
    assert_eq!(
        memkv.draft().get(bucket, "c")?.unwrap(),
        Some(b"5".to_vec())
    );
    assert_eq!(memkv.draft().increment(bucket, "c", 37)?.unwrap(), 42);
    assert_eq!(memkv.api().get("b", "c")?, Some(b"42".to_vec()));
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn increment_by_zero_reads_and_creates_the_counter() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    assert_eq!(memkv.draft().increment(bucket, "c", 0)?.unwrap(), 0);
    assert_eq!(
        memkv.draft().get(bucket, "c")?.unwrap(),
        Some(b"0".to_vec())
    );
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn increment_continues_a_counter_written_as_text() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    memkv.api().set("b", "c", b"99")?;
    let bucket = memkv.draft().open("b")?.unwrap();
    assert_eq!(memkv.draft().increment(bucket, "c", 1)?.unwrap(), 100);
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn increment_of_a_value_that_is_not_a_decimal_u64_is_an_error_and_changes_nothing() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    let not_counters: [&[u8]; 8] = [
        b"",
        b"abc",
        b"-1",
        b"+1",
        b" 1",
        b"1e3",
        b"\xff\xfe",
        b"18446744073709551616",
    ];
    for value in not_counters {
        memkv.draft().set(bucket, "c", value)?.unwrap();
        let message = expect_other(memkv.draft().increment(bucket, "c", 1)?);
        assert!(message.contains("not a decimal u64"), "{message}");
        assert_eq!(
            memkv.draft().get(bucket, "c")?.unwrap(),
            Some(value.to_vec())
        );
    }
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn increment_overflow_is_an_error_and_changes_nothing() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    assert_eq!(
        memkv.draft().increment(bucket, "c", u64::MAX - 1)?.unwrap(),
        u64::MAX - 1
    );
    assert_eq!(memkv.draft().increment(bucket, "c", 1)?.unwrap(), u64::MAX);
    let message = expect_other(memkv.draft().increment(bucket, "c", 1)?);
    assert!(message.contains("overflows u64"), "{message}");
    assert_eq!(
        memkv.draft().get(bucket, "c")?.unwrap(),
        Some(u64::MAX.to_string().into_bytes())
    );
    let message = expect_other(memkv.draft().increment(bucket, "c", u64::MAX)?);
    assert!(message.contains("overflows u64"), "{message}");
    assert_eq!(memkv.draft().increment(bucket, "c", 0)?.unwrap(), u64::MAX);
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn counters_are_per_bucket_and_shared_by_handles() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let first = memkv.draft().open("b")?.unwrap();
    let second = memkv.draft().open("b")?.unwrap();
    let other = memkv.draft().open("other")?.unwrap();
    memkv.draft().increment(first, "c", 2)?.unwrap();
    assert_eq!(memkv.draft().increment(second, "c", 3)?.unwrap(), 5);
    assert_eq!(memkv.draft().increment(other, "c", 1)?.unwrap(), 1);
    for bucket in [first, second, other] {
        memkv.draft().drop_bucket(bucket)?;
    }
    Ok(())
}
