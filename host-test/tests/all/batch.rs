//! `wasi:keyvalue/batch@0.2.0-draft`: many keys per call, in order.

use host_test::Entry;
use wasmtime::Result;

use super::harness;
use crate::strings as keys;

fn pairs(entries: &[(&str, &[u8])]) -> Vec<Entry> {
    entries
        .iter()
        .map(|&(key, value)| (key.to_owned(), value.to_vec()))
        .collect()
}

#[test]
fn get_many_answers_each_key_in_request_order_duplicates_included() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    memkv
        .draft()
        .set_many(bucket, &pairs(&[("a", b"1"), ("b", b"2")]))?
        .unwrap();
    let got = memkv
        .draft()
        .get_many(bucket, &keys(&["b", "missing", "a", "b", ""]))?
        .unwrap();
    assert_eq!(
        got,
        [
            Some(("b".into(), b"2".to_vec())),
            None,
            Some(("a".into(), b"1".to_vec())),
            Some(("b".into(), b"2".to_vec())),
            None,
        ]
    );
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn get_many_of_no_keys_is_empty() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    assert_eq!(memkv.draft().get_many(bucket, &[])?.unwrap(), []);
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn set_many_applies_in_order_so_the_last_duplicate_wins() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    memkv
        .draft()
        .set_many(bucket, &pairs(&[("k", b"1"), ("other", b"x"), ("k", b"2")]))?
        .unwrap();
    assert_eq!(
        memkv.draft().get(bucket, "k")?.unwrap(),
        Some(b"2".to_vec())
    );
    assert_eq!(
        memkv.draft().get(bucket, "other")?.unwrap(),
        Some(b"x".to_vec())
    );
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn set_many_overwrites_and_is_seen_through_every_interface() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    memkv.api().set("b", "k", b"old")?;
    let bucket = memkv.draft().open("b")?.unwrap();
    let other = memkv.draft().open("b")?.unwrap();
    memkv
        .draft()
        .set_many(bucket, &pairs(&[("k", b"new"), ("", b"")]))?
        .unwrap();
    assert_eq!(memkv.api().get("b", "k")?, Some(b"new".to_vec()));
    assert_eq!(memkv.draft().get(other, "")?.unwrap(), Some(Vec::new()));
    memkv.draft().drop_bucket(bucket)?;
    memkv.draft().drop_bucket(other)
}

#[test]
fn delete_many_skips_missing_keys() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    memkv
        .draft()
        .set_many(bucket, &pairs(&[("a", b"1"), ("b", b"2"), ("c", b"3")]))?
        .unwrap();
    memkv
        .draft()
        .delete_many(bucket, &keys(&["missing", "a", "a", "c"]))?
        .unwrap();
    let got = memkv
        .draft()
        .get_many(bucket, &keys(&["a", "b", "c"]))?
        .unwrap();
    assert_eq!(got, [None, Some(("b".into(), b"2".to_vec())), None]);
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn batches_of_many_keys_round_trip() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    let entries: Vec<Entry> = (0..10_000u32)
        .map(|i| (format!("k{i}"), i.to_le_bytes().to_vec()))
        .collect();
    memkv.draft().set_many(bucket, &entries)?.unwrap();
    let names: Vec<String> = entries.iter().map(|(key, _)| key.clone()).collect();
    let got = memkv.draft().get_many(bucket, &names)?.unwrap();
    let expected: Vec<Option<Entry>> = entries.into_iter().map(Some).collect();
    assert_eq!(got, expected);
    memkv.draft().delete_many(bucket, &names)?.unwrap();
    assert_eq!(
        memkv.draft().list_keys(bucket, None)?.unwrap().keys,
        Vec::<String>::new()
    );
    memkv.draft().drop_bucket(bucket)
}
