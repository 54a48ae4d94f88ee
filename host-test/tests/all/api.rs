//! `golem:examples/api`: one suite for every way of serving it (`providers.rs` runs it against
//! the guests and the other builds), run here against the engine, then what only memkv shows:
//! visibility through `wasi:keyvalue/store`.

use anyhow::Result;
use host_test::KeyValueApi;

use super::harness;

pub(crate) fn get_of_a_missing_key_is_none(api: &mut impl KeyValueApi, bucket: &str) -> Result<()> {
    api.set(bucket, "k", b"v")?;
    assert_eq!(api.get(bucket, "other")?, None);
    Ok(())
}

pub(crate) fn set_then_get_round_trips(api: &mut impl KeyValueApi, bucket: &str) -> Result<()> {
    api.set(bucket, "k", b"hello")?;
    assert_eq!(api.get(bucket, "k")?, Some(b"hello".to_vec()));
    Ok(())
}

pub(crate) fn set_overwrites(api: &mut impl KeyValueApi, bucket: &str) -> Result<()> {
    api.set(bucket, "k", b"old")?;
    api.set(bucket, "k", b"new")?;
    assert_eq!(api.get(bucket, "k")?, Some(b"new".to_vec()));
    Ok(())
}

pub(crate) fn empty_key_and_value_round_trip(
    api: &mut impl KeyValueApi,
    bucket: &str,
) -> Result<()> {
    api.set(bucket, "", b"")?;
    assert_eq!(api.get(bucket, "")?, Some(Vec::new()));
    Ok(())
}

pub(crate) fn binary_values_round_trip(api: &mut impl KeyValueApi, bucket: &str) -> Result<()> {
    let value: Vec<u8> = (0..=255).collect();
    api.set(bucket, "bytes", &value)?;
    api.set(bucket, "big", &vec![7; 1 << 20])?;
    assert_eq!(api.get(bucket, "bytes")?, Some(value));
    assert_eq!(api.get(bucket, "big")?, Some(vec![7; 1 << 20]));
    Ok(())
}

pub(crate) fn many_keys_keep_their_own_values(
    api: &mut impl KeyValueApi,
    bucket: &str,
) -> Result<()> {
    for i in 0..500u32 {
        api.set(bucket, &format!("key-{i}"), &i.to_le_bytes())?;
    }
    for i in (0..500u32).rev() {
        assert_eq!(
            api.get(bucket, &format!("key-{i}"))?,
            Some(i.to_le_bytes().to_vec())
        );
    }
    Ok(())
}

/// The provider-independent suite, one `#[test]` per behaviour, for one way of serving the api.
macro_rules! api_suite {
    ($provider:ident, $bucket:expr, $instantiate:expr) => {
        mod $provider {
            use super::*;

            #[test]
            fn get_of_a_missing_key_is_none() -> Result<()> {
                super::get_of_a_missing_key_is_none(&mut $instantiate?, $bucket)
            }

            #[test]
            fn set_then_get_round_trips() -> Result<()> {
                super::set_then_get_round_trips(&mut $instantiate?, $bucket)
            }

            #[test]
            fn set_overwrites() -> Result<()> {
                super::set_overwrites(&mut $instantiate?, $bucket)
            }

            #[test]
            fn empty_key_and_value_round_trip() -> Result<()> {
                super::empty_key_and_value_round_trip(&mut $instantiate?, $bucket)
            }

            #[test]
            fn binary_values_round_trip() -> Result<()> {
                super::binary_values_round_trip(&mut $instantiate?, $bucket)
            }

            #[test]
            fn many_keys_keep_their_own_values() -> Result<()> {
                super::many_keys_keep_their_own_values(&mut $instantiate?, $bucket)
            }
        }
    };
}

api_suite!(memkv, "b", harness().instantiate());

/// Several buckets, which wasmtime's host store does not offer.
macro_rules! bucket_suite {
    ($provider:ident, $instantiate:expr) => {
        mod $provider {
            use super::*;

            #[test]
            fn get_of_a_bucket_never_written_is_none() -> Result<()> {
                let api: &mut dyn KeyValueApi = &mut $instantiate?;
                assert_eq!(api.get("never", "k")?, None);
                Ok(())
            }

            #[test]
            fn buckets_with_the_same_key_are_separate() -> Result<()> {
                let api: &mut dyn KeyValueApi = &mut $instantiate?;
                api.set("a", "k", b"1")?;
                api.set("b", "k", b"2")?;
                api.set("", "k", b"3")?;
                assert_eq!(api.get("a", "k")?, Some(b"1".to_vec()));
                assert_eq!(api.get("b", "k")?, Some(b"2".to_vec()));
                assert_eq!(api.get("", "k")?, Some(b"3".to_vec()));
                Ok(())
            }
        }
    };
}

bucket_suite!(memkv_buckets, harness().instantiate());

#[test]
fn value_set_through_api_is_read_through_store() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    memkv.api().set("b", "k", b"v")?;
    let bucket = memkv.draft().open("b")?.unwrap();
    assert_eq!(
        memkv.draft().get(bucket, "k")?.unwrap(),
        Some(b"v".to_vec())
    );
    Ok(memkv.draft().drop_bucket(bucket)?)
}

#[test]
fn value_set_through_store_is_read_through_api() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    memkv.draft().set(bucket, "k", b"v")?.unwrap();
    memkv.draft().drop_bucket(bucket)?;
    assert_eq!(memkv.api().get("b", "k")?, Some(b"v".to_vec()));
    Ok(())
}

#[test]
fn delete_through_store_is_seen_by_api() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    memkv.api().set("b", "k", b"v")?;
    let bucket = memkv.draft().open("b")?.unwrap();
    memkv.draft().delete(bucket, "k")?.unwrap();
    memkv.draft().drop_bucket(bucket)?;
    assert_eq!(memkv.api().get("b", "k")?, None);
    Ok(())
}
