//! `wasi:keyvalue/store@0.2.0-draft`: buckets, single-key operations and `list-keys` paging.

use host_test::{Entry, expect_other};
use memkv::store::{CURSOR_CAPACITY, PAGE_SIZE};
use wasmtime::Result;

use super::harness;

fn key(i: usize) -> String {
    format!("key-{i:07}")
}

#[test]
fn open_accepts_any_identifier() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let long = "x".repeat(10_000);
    for identifier in ["", "b", "with space/and:colons", "ünïcødé 🦀", "\0", &long] {
        let bucket = memkv
            .draft()
            .open(identifier)?
            .expect("open accepts any identifier");
        memkv
            .draft()
            .set(bucket, "k", identifier.as_bytes())?
            .unwrap();
        memkv.draft().drop_bucket(bucket)?;
    }
    for identifier in ["", "b", "with space/and:colons", "ünïcødé 🦀", "\0", &long] {
        assert_eq!(
            memkv.api().get(identifier, "k")?,
            Some(identifier.as_bytes().to_vec())
        );
    }
    Ok(())
}

#[test]
fn two_handles_to_one_bucket_see_each_others_writes() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let first = memkv.draft().open("b")?.unwrap();
    let second = memkv.draft().open("b")?.unwrap();
    memkv.draft().set(first, "k", b"1")?.unwrap();
    assert_eq!(
        memkv.draft().get(second, "k")?.unwrap(),
        Some(b"1".to_vec())
    );
    memkv.draft().set(second, "k", b"2")?.unwrap();
    assert_eq!(memkv.draft().get(first, "k")?.unwrap(), Some(b"2".to_vec()));
    memkv.draft().drop_bucket(first)?;
    memkv.draft().drop_bucket(second)
}

#[test]
fn data_outlives_every_handle() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    memkv.draft().set(bucket, "k", b"v")?.unwrap();
    memkv.draft().drop_bucket(bucket)?;
    let reopened = memkv.draft().open("b")?.unwrap();
    assert_eq!(
        memkv.draft().get(reopened, "k")?.unwrap(),
        Some(b"v".to_vec())
    );
    memkv.draft().drop_bucket(reopened)
}

#[test]
fn handles_to_different_buckets_are_separate() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let a = memkv.draft().open("a")?.unwrap();
    let b = memkv.draft().open("b")?.unwrap();
    memkv.draft().set(a, "k", b"1")?.unwrap();
    assert_eq!(memkv.draft().get(b, "k")?.unwrap(), None);
    memkv.draft().drop_bucket(a)?;
    memkv.draft().drop_bucket(b)
}

#[test]
fn get_of_a_missing_key_is_ok_none() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    assert_eq!(memkv.draft().get(bucket, "missing")?.unwrap(), None);
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn set_overwrites() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    memkv.draft().set(bucket, "k", b"old")?.unwrap();
    memkv.draft().set(bucket, "k", b"new")?.unwrap();
    assert_eq!(
        memkv.draft().get(bucket, "k")?.unwrap(),
        Some(b"new".to_vec())
    );
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn delete_of_a_missing_key_is_ok() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    memkv.draft().delete(bucket, "missing")?.unwrap();
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn delete_removes_only_its_key() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    memkv.draft().set(bucket, "a", b"1")?.unwrap();
    memkv.draft().set(bucket, "b", b"2")?.unwrap();
    memkv.draft().delete(bucket, "a")?.unwrap();
    assert_eq!(memkv.draft().get(bucket, "a")?.unwrap(), None);
    assert_eq!(
        memkv.draft().get(bucket, "b")?.unwrap(),
        Some(b"2".to_vec())
    );
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn exists_is_exact() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    memkv.draft().set(bucket, "key", b"v")?.unwrap();
    assert!(memkv.draft().exists(bucket, "key")?.unwrap());
    for near_miss in ["ke", "key ", "Key", "keyy", ""] {
        assert!(
            !memkv.draft().exists(bucket, near_miss)?.unwrap(),
            "{near_miss:?}"
        );
    }
    memkv.draft().delete(bucket, "key")?.unwrap();
    assert!(!memkv.draft().exists(bucket, "key")?.unwrap());
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn empty_key_and_empty_value_round_trip() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    memkv.draft().set(bucket, "", b"")?.unwrap();
    assert!(memkv.draft().exists(bucket, "")?.unwrap());
    assert_eq!(memkv.draft().get(bucket, "")?.unwrap(), Some(Vec::new()));
    assert_eq!(memkv.draft().list_keys(bucket, None)?.unwrap().keys, [""]);
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn large_and_binary_values_round_trip() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    let value: Vec<u8> = (0..4 << 20).map(|i: u32| (i % 251) as u8).collect();
    memkv.draft().set(bucket, "big", &value)?.unwrap();
    assert_eq!(memkv.draft().get(bucket, "big")?.unwrap(), Some(value));
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn list_keys_of_an_empty_bucket_is_one_empty_page() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    let page = memkv.draft().list_keys(bucket, None)?.unwrap();
    assert!(page.keys.is_empty());
    assert_eq!(page.cursor, None);
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn list_keys_returns_every_key_in_byte_order_in_bounded_pages() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    let n = 2 * PAGE_SIZE + 17;
    for i in (0..n).rev() {
        memkv.draft().set(bucket, &key(i), b"")?.unwrap();
    }
    memkv
        .draft()
        .set(bucket, "Ünicode sorts by bytes", b"")?
        .unwrap();
    let listing = memkv.draft().list_all_keys(bucket)?.unwrap();
    let mut expected: Vec<String> = (0..n).map(key).collect();
    expected.push("Ünicode sorts by bytes".into());
    assert_eq!(listing.keys, expected);
    assert_eq!(listing.page_sizes, [PAGE_SIZE, PAGE_SIZE, 18]);
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn list_keys_returns_every_key_present_throughout_exactly_once_despite_writes() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    let n = 3 * PAGE_SIZE;
    for i in (0..n).step_by(2) {
        memkv.draft().set(bucket, &key(i), b"")?.unwrap();
    }
    let first = memkv.draft().list_keys(bucket, None)?.unwrap();
    let mut listed = first.keys;
    let mut cursor = first.cursor;
    let mut round = 0;
    while let Some(next) = cursor {
        // Between pages: delete the last key returned and one not yet listed, add keys before
        // and after the cursor, through another handle and through the api.
        let other = memkv.draft().open("b")?.unwrap();
        let last = listed.last().unwrap().clone();
        memkv.draft().delete(other, &last)?.unwrap();
        memkv
            .draft()
            .delete(other, &key(n - 2 - round * 2))?
            .unwrap();
        memkv.draft().set(other, &key(1 + round * 2), b"")?.unwrap();
        memkv.draft().drop_bucket(other)?;
        memkv.api().set("b", &key(n + round), b"")?;
        let page = memkv.draft().list_keys(bucket, Some(next))?.unwrap();
        listed.extend(page.keys);
        cursor = page.cursor;
        round += 1;
    }
    let mut unique = listed.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique, listed, "ascending, each key once");
    let deleted_late: Vec<String> = (0..round).map(|r| key(n - 2 - r * 2)).collect();
    for i in (0..n).step_by(2) {
        if !deleted_late.contains(&key(i)) {
            assert!(
                listed.contains(&key(i)),
                "{} was present throughout",
                key(i)
            );
        }
    }
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn list_keys_refuses_a_cursor_it_never_issued() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    memkv.draft().set(bucket, "k", b"")?.unwrap();
    for cursor in [0, 1, 12_345, u64::MAX] {
        let message = expect_other(memkv.draft().list_keys(bucket, Some(cursor))?);
        assert!(message.contains("never issued"), "{message}");
    }
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn list_keys_refuses_a_forgotten_cursor() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    let keys: Vec<Entry> = (0..PAGE_SIZE + 1).map(|i| (key(i), vec![])).collect();
    memkv.draft().set_many(bucket, &keys)?.unwrap();
    let old = memkv
        .draft()
        .list_keys(bucket, None)?
        .unwrap()
        .cursor
        .unwrap();
    for _ in 0..CURSOR_CAPACITY {
        memkv.draft().list_keys(bucket, None)?.unwrap();
    }
    let message = expect_other(memkv.draft().list_keys(bucket, Some(old))?);
    assert!(message.contains("expired"), "{message}");
    assert!(message.contains("restart the listing"), "{message}");
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn list_keys_cursor_can_be_resumed_again() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    let keys: Vec<Entry> = (0..PAGE_SIZE + 3).map(|i| (key(i), vec![])).collect();
    memkv.draft().set_many(bucket, &keys)?.unwrap();
    let cursor = memkv.draft().list_keys(bucket, None)?.unwrap().cursor;
    let once = memkv.draft().list_keys(bucket, cursor)?.unwrap();
    let twice = memkv.draft().list_keys(bucket, cursor)?.unwrap();
    assert_eq!(once.keys, twice.keys);
    assert_eq!(
        once.keys,
        [key(PAGE_SIZE), key(PAGE_SIZE + 1), key(PAGE_SIZE + 2)]
    );
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn list_keys_refuses_a_cursor_of_another_bucket() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let a = memkv.draft().open("a")?.unwrap();
    let b = memkv.draft().open("b")?.unwrap();
    let keys: Vec<Entry> = (0..PAGE_SIZE + 1).map(|i| (key(i), vec![])).collect();
    memkv.draft().set_many(a, &keys)?.unwrap();
    memkv.draft().set_many(b, &keys)?.unwrap();
    let cursor = memkv.draft().list_keys(a, None)?.unwrap().cursor.unwrap();
    let message = expect_other(memkv.draft().list_keys(b, Some(cursor))?);
    assert!(message.contains("another bucket"), "{message}");
    memkv.draft().drop_bucket(a)?;
    memkv.draft().drop_bucket(b)
}
