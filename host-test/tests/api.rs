//! `golem:examples/api`, and its visibility through `wasi:keyvalue/store`.

use host_test::Harness;
use wasmtime::Result;

#[test]
fn get_of_a_bucket_never_written_is_none() -> Result<()> {
    let mut memkv = Harness::shared().instantiate()?;
    assert_eq!(memkv.api_get("never", "k")?, None);
    Ok(())
}

#[test]
fn get_of_a_missing_key_is_none() -> Result<()> {
    let mut memkv = Harness::shared().instantiate()?;
    memkv.api_set("b", "k", b"v")?;
    assert_eq!(memkv.api_get("b", "other")?, None);
    Ok(())
}

#[test]
fn set_then_get_round_trips() -> Result<()> {
    let mut memkv = Harness::shared().instantiate()?;
    memkv.api_set("b", "k", b"hello")?;
    assert_eq!(memkv.api_get("b", "k")?, Some(b"hello".to_vec()));
    Ok(())
}

#[test]
fn set_overwrites() -> Result<()> {
    let mut memkv = Harness::shared().instantiate()?;
    memkv.api_set("b", "k", b"old")?;
    memkv.api_set("b", "k", b"new")?;
    assert_eq!(memkv.api_get("b", "k")?, Some(b"new".to_vec()));
    Ok(())
}

#[test]
fn empty_bucket_key_and_value_round_trip() -> Result<()> {
    let mut memkv = Harness::shared().instantiate()?;
    memkv.api_set("", "", b"")?;
    assert_eq!(memkv.api_get("", "")?, Some(Vec::new()));
    Ok(())
}

#[test]
fn buckets_with_the_same_key_are_separate() -> Result<()> {
    let mut memkv = Harness::shared().instantiate()?;
    memkv.api_set("a", "k", b"1")?;
    memkv.api_set("b", "k", b"2")?;
    assert_eq!(memkv.api_get("a", "k")?, Some(b"1".to_vec()));
    assert_eq!(memkv.api_get("b", "k")?, Some(b"2".to_vec()));
    Ok(())
}

#[test]
fn value_set_through_api_is_read_through_store() -> Result<()> {
    let mut memkv = Harness::shared().instantiate()?;
    memkv.api_set("b", "k", b"v")?;
    let bucket = memkv.open("b")?.unwrap();
    assert_eq!(memkv.get(bucket, "k")?.unwrap(), Some(b"v".to_vec()));
    memkv.drop_bucket(bucket)
}

#[test]
fn value_set_through_store_is_read_through_api() -> Result<()> {
    let mut memkv = Harness::shared().instantiate()?;
    let bucket = memkv.open("b")?.unwrap();
    memkv.set(bucket, "k", b"v")?.unwrap();
    memkv.drop_bucket(bucket)?;
    assert_eq!(memkv.api_get("b", "k")?, Some(b"v".to_vec()));
    Ok(())
}

#[test]
fn delete_through_store_is_seen_by_api() -> Result<()> {
    let mut memkv = Harness::shared().instantiate()?;
    memkv.api_set("b", "k", b"v")?;
    let bucket = memkv.open("b")?.unwrap();
    memkv.delete(bucket, "k")?.unwrap();
    memkv.drop_bucket(bucket)?;
    assert_eq!(memkv.api_get("b", "k")?, None);
    Ok(())
}
